#include "broker/registry/registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/base/names.h"
#include "broker/registry/registry_records.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::ActorRecord;
using dsr::storage::v1::HoldingRecord;
using dsr::storage::v1::LinkRecord;
using storage::ColumnFamily;

Registry::Registry(const RegistryOptions& options)
    : store_(options.store),
      journal_(options.journal),
      inbox_(options.inbox),
      limits_(options.limits),
      link_forwarding_(options.link_forwarding),
      on_forwarding_pending_(options.on_forwarding_pending),
      on_token_rotated_(options.on_token_rotated),
      proposals_(
          options.clock,
          RateLimit{options.limits.max_link_proposals_per_day / 86400.0,
                    static_cast<double>(std::max(1, options.limits.max_link_proposals_per_day))}) {}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(const RegistryOptions& options) {
  if (options.store == nullptr || options.clock == nullptr || options.journal == nullptr ||
      options.inbox == nullptr || options.link_forwarding == nullptr) {
    return absl::InvalidArgumentError(
        "registry needs a store, a clock, a journal, an inbox and a link forwarding");
  }
  std::unique_ptr<Registry> registry(new Registry(options));
  DSR_RETURN_IF_ERROR(registry->LoadGraph());
  return registry;
}

absl::Status Registry::LoadGraph() {
  DSR_RETURN_IF_ERROR(
      storage::ScanRecords<HoldingRecord>(*store_, ColumnFamily::kHoldings, "", "", "holding",
                                          [&](absl::string_view, const HoldingRecord& record) {
                                            graph_.PutHolding(GraphHoldingFromRecord(record));
                                            CountHolding(record.actor_id());
                                            return true;
                                          }));
  absl::Status bad;
  // Links stored before ListLinks existed have no index entries: add them.
  storage::WriteBatch backfill = store_->NewWriteBatch();
  int missing = 0;
  DSR_RETURN_IF_ERROR(storage::ScanRecords<LinkRecord>(
      *store_, ColumnFamily::kLinks, "", "", "link",
      [&](absl::string_view, const LinkRecord& record) {
        if (!graph_.HasHolding(record.child()) || !graph_.HasHolding(record.parent())) {
          bad = absl::DataLossError(absl::StrCat("stored link ", record.link_id(),
                                                 " names a holding that is not stored"));
          return false;
        }
        graph_.AddLink(GraphLinkFromRecord(record));
        for (const std::string* holding : {&record.child(), &record.parent()}) {
          absl::StatusOr<HoldingName> owner = ParseHoldingName(*holding, "link");
          if (!owner.ok()) {
            bad = absl::DataLossError("a stored link names a malformed holding");
            return false;
          }
          const std::string index = storage::keys::ActorLink(owner->actor_id, record.link_id());
          absl::StatusOr<bool> indexed = store_->Contains(ColumnFamily::kActorLinks, index);
          if (!indexed.ok()) {
            bad = indexed.status();
            return false;
          }
          if (!*indexed) {
            backfill.PutEmpty(ColumnFamily::kActorLinks, index);
            ++missing;
          }
          if (holding == &record.child()) CountLink(owner->actor_id, +1);
        }
        return true;
      }));
  DSR_RETURN_IF_ERROR(bad);
  if (missing > 0) DSR_RETURN_IF_ERROR(store_->Commit(backfill));
  return absl::OkStatus();
}

int Registry::HoldingsOf(const std::string& actor_id) const {
  absl::MutexLock lock(&counts_mu_);
  auto it = holdings_per_actor_.find(actor_id);
  return it == holdings_per_actor_.end() ? 0 : it->second;
}

int Registry::LinksOf(const std::string& actor_id) const {
  absl::MutexLock lock(&counts_mu_);
  auto it = links_per_actor_.find(actor_id);
  return it == links_per_actor_.end() ? 0 : it->second;
}

void Registry::CountHolding(const std::string& actor_id) {
  absl::MutexLock lock(&counts_mu_);
  ++holdings_per_actor_[actor_id];
}

void Registry::CountLink(const std::string& actor_id, int delta) {
  absl::MutexLock lock(&counts_mu_);
  links_per_actor_[actor_id] += delta;
}

absl::Status Registry::ReadActor(absl::string_view actor_id, ActorRecord* record) const {
  absl::Status s = store_->Get(ColumnFamily::kActors, storage::keys::Actor(actor_id), record);
  if (absl::IsNotFound(s)) return absl::NotFoundError("actor not found");
  return s;
}

absl::Status Registry::ReadHolding(absl::string_view actor_id, absl::string_view holding_id,
                                   HoldingRecord* record) const {
  absl::Status s =
      store_->Get(ColumnFamily::kHoldings, storage::keys::Holding(actor_id, holding_id), record);
  if (absl::IsNotFound(s)) return absl::NotFoundError("holding not found");
  return s;
}

}  // namespace dsr::broker
