// Requests: finding a person's requests again once they prove an
// identifier (ListRequests), for a person who lost their receipts.

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/tokens.h"
#include "broker/requests/request_records.h"
#include "broker/requests/requests.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using storage::ColumnFamily;

namespace {

constexpr int kMaxFound = 100;
constexpr absl::string_view kTooManyLookups = "too many lookups";

// The request as listed: its shape and state, nothing personal.
dsr::v1::Request ListedRequest(const RequestRecord& record) {
  dsr::v1::Request out;
  out.set_name(RequestName(record.request_id()));
  out.set_type(static_cast<dsr::v1::RequestType>(record.type()));
  *out.mutable_targets() = record.targets();
  out.set_lineage_scope(static_cast<dsr::v1::Request::LineageScope>(record.lineage_scope()));
  *out.mutable_create_time() = record.create_time();
  if (record.has_purge_time()) *out.mutable_purge_time() = record.purge_time();
  out.set_state(record.cancelled()             ? dsr::v1::Request::CANCELLED
                : record.open_task_count() > 0 ? dsr::v1::Request::OPEN
                                               : dsr::v1::Request::COMPLETED);
  return out;
}

}  // namespace

absl::Status Requests::List(const Principal& principal, const dsr::v1::ListRequestsRequest& request,
                            dsr::v1::ListRequestsResponse* response) {
  if (request.verification_token().empty()) {
    return absl::InvalidArgumentError(
        "verification_token is required: verify an identifier first (VerificationService)");
  }
  if (options_.lookups_per_address != nullptr && !principal.client_address().empty()) {
    DSR_RETURN_IF_ERROR(
        options_.lookups_per_address->Take(principal.client_address(), kTooManyLookups));
  }
  DSR_ASSIGN_OR_RETURN(
      Verifications::Holder holder,
      options_.verifications->Check(request.verification_token(), options_.clock->Now()));
  if (options_.lookups_per_identifier != nullptr) {
    DSR_RETURN_IF_ERROR(options_.lookups_per_identifier->Take(holder.pseudonym, kTooManyLookups));
  }
  if (request.other_verification_tokens_size() > options_.limits.max_identifiers) {
    return absl::InvalidArgumentError(absl::StrCat("other_verification_tokens must have at most ",
                                                   options_.limits.max_identifiers, " entries"));
  }
  // Every identifier the caller proves: a request is listed only when all
  // those verified on it are among them.
  absl::flat_hash_set<std::string> proved = {holder.pseudonym};
  for (const std::string& token : request.other_verification_tokens()) {
    DSR_ASSIGN_OR_RETURN(Verifications::Holder other,
                         options_.verifications->Check(token, options_.clock->Now()));
    proved.insert(other.pseudonym);
  }
  const int page_size =
      request.page_size() <= 0 ? kMaxFound : std::min(request.page_size(), kMaxFound);
  const std::string query =
      QueryFingerprint("ListRequests", absl::StrCat(holder.type, ":", Sha256(holder.pseudonym)));
  std::string start_after;
  if (!request.page_token().empty()) {
    DSR_ASSIGN_OR_RETURN(std::string last, DecodePageToken(request.page_token(), query));
    start_after = storage::keys::SubjectRequest(holder.pseudonym, last);
  }
  std::vector<std::string> ids;
  bool more = false;
  DSR_RETURN_IF_ERROR(options_.store->Scan(
      ColumnFamily::kSubjectRequests, storage::keys::RequestsVerifiedFor(holder.pseudonym),
      start_after, [&](absl::string_view key, absl::string_view) {
        if (static_cast<int>(ids.size()) == page_size) {
          more = true;
          return false;
        }
        absl::StatusOr<storage::keys::SubjectRequestKey> entry =
            storage::keys::ParseSubjectRequest(key);
        if (entry.ok()) ids.push_back(std::move(entry->request_id));
        return true;
      }));

  Journal::Mutation mutation(options_.journal);
  for (const std::string& id : ids) {
    DSR_ASSIGN_OR_RETURN(
        std::optional<RequestRecord> record,
        storage::GetIfPresent<RequestRecord>(mutation.store(), ColumnFamily::kRequests,
                                             storage::keys::Request(id)));
    if (!record.has_value()) continue;
    const bool all_proved =
        std::all_of(record->subject_index_keys().begin(), record->subject_index_keys().end(),
                    [&](const std::string& key) {
                      absl::StatusOr<storage::keys::SubjectRequestKey> entry =
                          storage::keys::ParseSubjectRequest(key);
                      return entry.ok() && proved.contains(entry->pseudonym);
                    });
    if (!all_proved) {
      response->set_withheld(response->withheld() + 1);
      continue;
    }
    const std::string receipt = NewToken(kReceiptTokenPrefix);
    dsr::storage::v1::ReceiptRecord opens;
    opens.set_request_id(id);
    mutation.batch().Put(ColumnFamily::kReceipts, storage::keys::Receipt(Sha256(receipt)), opens);
    mutation.Audit("ReissueReceipt", RequestName(id));
    dsr::v1::FoundRequest* found = response->add_requests();
    *found->mutable_request() = ListedRequest(*record);
    found->set_receipt_token(receipt);
  }
  mutation.Audit("ListRequests", "requests");
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  if (more && !ids.empty()) response->set_next_page_token(EncodePageToken(ids.back(), query));
  return absl::OkStatus();
}

}  // namespace dsr::broker
