#include "broker/retention.h"

#include <vector>

#include "broker/principal.h"
#include "broker/request_records.h"
#include "broker/status_macros.h"
#include "broker/time_util.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using storage::ColumnFamily;

absl::StatusOr<int> RetentionSweeper::Sweep(int batch_size) {
  int purged = 0;
  while (true) {
    Journal::MutationLock lock(journal_);
    const absl::Time now = clock_->Now();
    const int64_t cutoff = absl::ToUnixMicros(now - retention_);
    std::vector<std::pair<std::string, storage::keys::FinalRequestKey>> due;
    absl::Status bad;
    // The queue is in order of final time: stop at the first not yet due.
    DSR_RETURN_IF_ERROR(store_->Scan(
        ColumnFamily::kFinalRequests, "", "", [&](absl::string_view key, absl::string_view) {
          absl::StatusOr<storage::keys::FinalRequestKey> entry =
              storage::keys::ParseFinalRequest(key);
          if (!entry.ok()) {
            bad = entry.status();
            return false;
          }
          if (entry->final_unix_micros > cutoff) return false;
          due.emplace_back(std::string(key), std::move(*entry));
          return static_cast<int>(due.size()) < batch_size;
        }));
    DSR_RETURN_IF_ERROR(bad);
    if (due.empty()) return purged;

    storage::WriteBatch batch = store_->NewWriteBatch();
    std::vector<AuditEntry> audit;
    for (const auto& [key, entry] : due) {
      batch.Delete(ColumnFamily::kFinalRequests, key);
      RequestRecord request;
      DSR_RETURN_IF_ERROR(
          store_->Get(ColumnFamily::kRequests, storage::keys::Request(entry.request_id), &request));
      // Stale entries: reopened by a late link (and perhaps final again
      // later, with its own entry), or already purged.
      const bool still_final =
          request.has_final_time() &&
          absl::ToUnixMicros(FromProtoTime(request.final_time())) == entry.final_unix_micros;
      if (!still_final || request.has_purge_time()) continue;
      DSR_RETURN_IF_ERROR(vault_->Purge(batch, now, &request));
      batch.Put(ColumnFamily::kRequests, storage::keys::Request(entry.request_id), request);
      audit.push_back(AuditEntry{"PurgePersonalData", RequestName(entry.request_id)});
      ++purged;
    }
    if (audit.empty()) {
      DSR_RETURN_IF_ERROR(store_->Commit(batch));  // only stale entries dropped
    } else {
      DSR_RETURN_IF_ERROR(journal_->Commit(batch, Principal::Broker(), audit));
    }
  }
}

}  // namespace dsr::broker
