// Registry: holdings.

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/access/authorization.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/base/time_util.h"
#include "broker/journal/idempotency.h"
#include "broker/registry/registry.h"
#include "broker/registry/registry_records.h"
#include "broker/registry/registry_validation.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::HoldingRecord;
using storage::ColumnFamily;

namespace {

constexpr absl::string_view kAllActors = "actors/-";

// Adds to `batch` the index entries of `after` that `before` lacks and
// removes those of `before` that `after` lacks.
void UpdateExternalIdIndex(const HoldingRecord* before, const HoldingRecord& after,
                           storage::WriteBatch& batch) {
  auto key = [&after](const std::string& id) {
    return storage::keys::ExternalId(id, after.actor_id(), after.holding_id());
  };
  absl::flat_hash_set<std::string> old_ids;
  if (before != nullptr)
    old_ids.insert(before->external_ids().begin(), before->external_ids().end());
  absl::flat_hash_set<std::string> new_ids(after.external_ids().begin(),
                                           after.external_ids().end());
  for (const std::string& id : old_ids) {
    if (!new_ids.contains(id)) batch.Delete(ColumnFamily::kExternalIds, key(id));
  }
  for (const std::string& id : new_ids) {
    if (!old_ids.contains(id)) batch.PutEmpty(ColumnFamily::kExternalIds, key(id));
  }
}

absl::Status ParseHoldingValue(absl::string_view value, HoldingRecord* record) {
  if (!record->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("a stored holding does not parse");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Registry::CreateHolding(const Principal& principal,
                                     const dsr::v1::CreateHoldingRequest& request,
                                     dsr::v1::Holding* holding) {
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(std::string actor_id, ParseActorName(request.parent(), "parent"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, actor_id));
  DSR_RETURN_IF_ERROR(ValidateId(request.holding_id(), "holding_id"));
  DSR_RETURN_IF_ERROR(ValidateNewHolding(request.holding(), limits_));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "CreateHolding", request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (earlier.has_value()) return ReplayHolding(*earlier, holding);
  DSR_ASSIGN_OR_RETURN(bool actor_exists,
                       store_->Contains(ColumnFamily::kActors, storage::keys::Actor(actor_id)));
  if (!actor_exists) return absl::NotFoundError("actor not found");
  const std::string key = storage::keys::Holding(actor_id, request.holding_id());
  DSR_ASSIGN_OR_RETURN(bool exists, store_->Contains(ColumnFamily::kHoldings, key));
  if (exists) return absl::AlreadyExistsError("this actor has a holding with this holding_id");
  if (!principal.is_admin() && HoldingsOf(actor_id) >= limits_.max_holdings_per_actor) {
    return absl::ResourceExhaustedError(
        absl::StrCat("this actor has reached its quota of ", limits_.max_holdings_per_actor,
                     " holdings (retired ones count); ask the broker's operator to raise it"));
  }

  const absl::Time now = mutation.now();
  HoldingRecord record;
  record.set_actor_id(actor_id);
  record.set_holding_id(request.holding_id());
  record.set_kind(request.holding().kind());
  for (const std::string& path : MutableHoldingPaths()) {
    CopyHoldingField(request.holding(), path, &record);
  }
  record.set_state(dsr::v1::Holding::ACTIVE);
  *record.mutable_create_time() = ToProtoTime(now);
  *record.mutable_update_time() = record.create_time();
  if (!principal.is_admin()) DSR_RETURN_IF_ERROR(CheckExternalIdClaims(nullptr, record));

  storage::WriteBatch& batch = mutation.batch();
  batch.Put(ColumnFamily::kHoldings, key, record);
  UpdateExternalIdIndex(nullptr, record, batch);
  mutation.RecordCall(FormatHoldingName(actor_id, request.holding_id()));
  mutation.Audit("CreateHolding", FormatHoldingName(actor_id, request.holding_id()));
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  graph_.PutHolding(GraphHoldingFromRecord(record));
  CountHolding(actor_id);
  *holding = HoldingFromRecord(record);
  return absl::OkStatus();
}

absl::Status Registry::CheckExternalIdClaims(const HoldingRecord* before,
                                             const HoldingRecord& record) const {
  for (int i = 0; i < record.external_ids_size(); ++i) {
    const std::string& id = record.external_ids(i);
    if (before != nullptr && std::find(before->external_ids().begin(), before->external_ids().end(),
                                       id) != before->external_ids().end()) {
      continue;  // this holding's claim already
    }
    // The first index entry of another actor settles it; entries of this
    // actor (another version of the same dataset, say) are passed over.
    bool claimed = false;
    absl::Status bad;
    DSR_RETURN_IF_ERROR(store_->Scan(
        ColumnFamily::kExternalIds, storage::keys::ExternalIdsEqualTo(id), "",
        [&](absl::string_view key, absl::string_view) {
          absl::StatusOr<storage::keys::ExternalIdKey> entry = storage::keys::ParseExternalId(key);
          if (!entry.ok()) {
            bad = entry.status();
            return false;
          }
          claimed = entry->actor_id != record.actor_id();
          return !claimed;
        }));
    DSR_RETURN_IF_ERROR(bad);
    if (claimed) {
      return absl::AlreadyExistsError(absl::StrCat(
          "holding.external_ids[", i,
          "] is already claimed by another organisation's holding; if it is yours, ask the "
          "broker's operator to settle it"));
    }
  }
  return absl::OkStatus();
}

absl::Status Registry::ReplayHolding(absl::string_view name, dsr::v1::Holding* holding) const {
  DSR_ASSIGN_OR_RETURN(HoldingName parsed, ParseHoldingName(name, "request_id"));
  HoldingRecord record;
  DSR_RETURN_IF_ERROR(ReadHolding(parsed.actor_id, parsed.holding_id, &record));
  *holding = HoldingFromRecord(record);
  return absl::OkStatus();
}

absl::Status Registry::GetHolding(const dsr::v1::GetHoldingRequest& request,
                                  dsr::v1::Holding* holding) const {
  DSR_ASSIGN_OR_RETURN(HoldingName name, ParseHoldingName(request.name(), "name"));
  HoldingRecord record;
  DSR_RETURN_IF_ERROR(ReadHolding(name.actor_id, name.holding_id, &record));
  *holding = HoldingFromRecord(record);
  return absl::OkStatus();
}

absl::Status Registry::ListHoldings(const dsr::v1::ListHoldingsRequest& request,
                                    dsr::v1::ListHoldingsResponse* response) const {
  std::string actor_id;  // empty: every actor
  if (request.parent() != kAllActors) {
    absl::StatusOr<std::string> parsed = ParseActorName(request.parent(), "parent");
    if (!parsed.ok()) {
      return absl::InvalidArgumentError("parent must be actors/{actor} or actors/-");
    }
    actor_id = *std::move(parsed);
  }
  if (request.external_id().size() > limits_.max_external_id_bytes) {
    return absl::InvalidArgumentError("external_id is too long");
  }
  PageQuery query;
  query.fingerprint = QueryFingerprint(
      "ListHoldings", absl::StrCat(actor_id.size(), ":", actor_id, request.external_id()));
  query.page_token = request.page_token();
  DSR_ASSIGN_OR_RETURN(query.page_size, ResolvePageSize(request.page_size(), limits_));
  query.max_reply_bytes = limits_.max_reply_bytes;
  const auto add = [&](const HoldingRecord& record) {
    dsr::v1::Holding* holding = response->add_holdings();
    *holding = HoldingFromRecord(record);
    return ReplyBytes(*holding);
  };

  std::string next;
  if (request.external_id().empty()) {
    query.family = ColumnFamily::kHoldings;
    query.prefix = actor_id.empty() ? "" : storage::keys::HoldingsOf(actor_id);
    DSR_ASSIGN_OR_RETURN(
        next, ScanPage(*store_, query,
                       [&](absl::string_view, absl::string_view v) -> absl::StatusOr<size_t> {
                         HoldingRecord record;
                         DSR_RETURN_IF_ERROR(ParseHoldingValue(v, &record));
                         return add(record);
                       }));
  } else {
    query.family = ColumnFamily::kExternalIds;
    query.prefix = actor_id.empty()
                       ? storage::keys::ExternalIdsEqualTo(request.external_id())
                       : storage::keys::ExternalIdsOfActor(request.external_id(), actor_id);
    DSR_ASSIGN_OR_RETURN(
        next,
        ScanPage(*store_, query,
                 [&](absl::string_view key, absl::string_view) -> absl::StatusOr<size_t> {
                   DSR_ASSIGN_OR_RETURN(storage::keys::ExternalIdKey entry,
                                        storage::keys::ParseExternalId(key));
                   HoldingRecord record;
                   DSR_RETURN_IF_ERROR(ReadHolding(entry.actor_id, entry.holding_id, &record));
                   // The index and the record are read at different moments; an update
                   // in between may have dropped the id. Such an entry is passed over.
                   const auto& ids = record.external_ids();
                   if (std::find(ids.begin(), ids.end(), request.external_id()) == ids.end()) {
                     return size_t{0};
                   }
                   return add(record);
                 }));
  }
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status Registry::UpdateHolding(const Principal& principal,
                                     const dsr::v1::UpdateHoldingRequest& request,
                                     dsr::v1::Holding* holding) {
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(HoldingName name,
                       ParseHoldingName(request.holding().name(), "holding.name"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, name.actor_id));
  std::vector<std::string> paths;
  if (request.update_mask().paths().empty()) {
    for (const std::string& path : MutableHoldingPaths()) {
      if (HoldingFieldIsSet(request.holding(), path)) paths.push_back(path);
    }
  } else {
    paths.assign(request.update_mask().paths().begin(), request.update_mask().paths().end());
  }
  if (paths.empty()) {
    return absl::InvalidArgumentError("update_mask is empty and holding sets no field to change");
  }
  for (const std::string& path : paths) {
    DSR_RETURN_IF_ERROR(ValidateHoldingField(request.holding(), path, limits_));
  }
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "UpdateHolding", request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (earlier.has_value()) return ReplayHolding(*earlier, holding);
  HoldingRecord before;
  DSR_RETURN_IF_ERROR(ReadHolding(name.actor_id, name.holding_id, &before));
  HoldingRecord after = before;
  for (const std::string& path : paths) CopyHoldingField(request.holding(), path, &after);
  const absl::Time now = mutation.now();
  *after.mutable_update_time() = ToProtoTime(now);
  if (!principal.is_admin()) DSR_RETURN_IF_ERROR(CheckExternalIdClaims(&before, after));

  storage::WriteBatch& batch = mutation.batch();
  batch.Put(ColumnFamily::kHoldings, storage::keys::Holding(name.actor_id, name.holding_id), after);
  UpdateExternalIdIndex(&before, after, batch);
  mutation.RecordCall(request.holding().name());
  mutation.Audit("UpdateHolding", request.holding().name());
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  graph_.PutHolding(GraphHoldingFromRecord(after));
  *holding = HoldingFromRecord(after);
  return absl::OkStatus();
}

absl::Status Registry::RetireHolding(const Principal& principal,
                                     const dsr::v1::RetireHoldingRequest& request,
                                     dsr::v1::Holding* holding) {
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(HoldingName name, ParseHoldingName(request.name(), "name"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, name.actor_id));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "RetireHolding", request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (earlier.has_value()) return ReplayHolding(*earlier, holding);
  HoldingRecord record;
  DSR_RETURN_IF_ERROR(ReadHolding(name.actor_id, name.holding_id, &record));
  if (record.state() == dsr::v1::Holding::RETIRED) {
    return absl::FailedPreconditionError("holding is already retired");
  }
  const absl::Time now = mutation.now();
  record.set_state(dsr::v1::Holding::RETIRED);
  *record.mutable_update_time() = ToProtoTime(now);
  storage::WriteBatch& batch = mutation.batch();
  batch.Put(ColumnFamily::kHoldings, storage::keys::Holding(name.actor_id, name.holding_id),
            record);
  mutation.RecordCall(request.name());
  mutation.Audit("RetireHolding", request.name());
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  graph_.PutHolding(GraphHoldingFromRecord(record));
  *holding = HoldingFromRecord(record);
  return absl::OkStatus();
}

}  // namespace dsr::broker
