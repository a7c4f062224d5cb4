#include "broker/retention.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/log.h"
#include "broker/principal.h"
#include "broker/request_records.h"
#include "broker/status_macros.h"
#include "broker/time_util.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using storage::ColumnFamily;

namespace {

// Where a purged request's sealed data lived: its data key, its record (the
// old versions hold the sealed subject) and its reports.
void AddScrubRanges(const std::string& request_id, std::vector<storage::KeyRange>* ranges) {
  const std::string key = storage::keys::DataKey(request_id);
  ranges->push_back({ColumnFamily::kDataKeys, key, key});
  const std::string record = storage::keys::Request(request_id);
  ranges->push_back({ColumnFamily::kRequests, record, record});
  const std::string reports = storage::keys::TasksOf(request_id);
  ranges->push_back({ColumnFamily::kReports, reports, storage::keys::PrefixLast(reports)});
}

}  // namespace

absl::StatusOr<int> RetentionSweeper::Sweep(int batch_size) {
  int purged = 0;
  std::vector<storage::KeyRange> scrub;
  absl::Status swept = SweepBatches(batch_size, &purged, &scrub);
  // Outside the mutation lock: writers go on while the files are rewritten.
  absl::Status scrubbed = store_->Scrub(scrub);
  if (!swept.ok()) return swept;
  if (!scrubbed.ok()) return scrubbed;
  return purged;
}

absl::Status RetentionSweeper::SweepBatches(int batch_size, int* purged,
                                            std::vector<storage::KeyRange>* scrub) {
  while (true) {
    Journal::MutationLock lock(journal_);
    const absl::Time now = clock_->Now();
    const int64_t cutoff = absl::ToUnixMicros(now - retention_);
    std::vector<std::pair<std::string, storage::keys::FinalRequestKey>> due;
    std::vector<std::string> malformed;
    // The queue is in order of final time: stop at the first not yet due.
    DSR_RETURN_IF_ERROR(store_->Scan(
        ColumnFamily::kFinalRequests, "", "", [&](absl::string_view key, absl::string_view) {
          absl::StatusOr<storage::keys::FinalRequestKey> entry =
              storage::keys::ParseFinalRequest(key);
          if (!entry.ok()) {
            malformed.emplace_back(key);  // dropped below, so it cannot block the queue
          } else if (entry->final_unix_micros > cutoff) {
            return false;
          } else {
            due.emplace_back(std::string(key), std::move(*entry));
          }
          return static_cast<int>(due.size() + malformed.size()) < batch_size;
        }));
    if (due.empty() && malformed.empty()) return absl::OkStatus();

    storage::WriteBatch batch = store_->NewWriteBatch();
    std::vector<AuditEntry> audit;
    for (const std::string& key : malformed) {
      LogError("retention queue: dropped an entry that does not parse");
      batch.Delete(ColumnFamily::kFinalRequests, key);
    }
    for (const auto& [key, entry] : due) {
      batch.Delete(ColumnFamily::kFinalRequests, key);
      RequestRecord request;
      absl::Status read =
          store_->Get(ColumnFamily::kRequests, storage::keys::Request(entry.request_id), &request);
      if (absl::IsNotFound(read) || absl::IsDataLoss(read)) {
        LogError(absl::StrCat("retention queue: dropped an entry whose request is unreadable: ",
                              read.ToString()));
        continue;
      }
      DSR_RETURN_IF_ERROR(read);
      // Stale entries: reopened by a late link (and perhaps final again
      // later, with its own entry), or already purged.
      const bool still_final =
          request.has_final_time() &&
          absl::ToUnixMicros(FromProtoTime(request.final_time())) == entry.final_unix_micros;
      if (!still_final || request.has_purge_time()) continue;
      DSR_RETURN_IF_ERROR(vault_->Purge(batch, now, &request));
      batch.Put(ColumnFamily::kRequests, storage::keys::Request(entry.request_id), request);
      audit.push_back(AuditEntry{"PurgePersonalData", RequestName(entry.request_id)});
      AddScrubRanges(entry.request_id, scrub);
    }
    if (audit.empty()) {
      DSR_RETURN_IF_ERROR(store_->Commit(batch));  // only stale entries dropped
    } else {
      DSR_RETURN_IF_ERROR(journal_->Commit(batch, Principal::Broker(), audit));
      *purged += static_cast<int>(audit.size());
    }
  }
}

}  // namespace dsr::broker
