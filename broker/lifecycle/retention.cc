#include "broker/lifecycle/retention.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/log.h"
#include "broker/base/principal.h"
#include "broker/base/time_util.h"
#include "broker/requests/request_records.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using storage::ColumnFamily;

using dsr::storage::v1::TaskRecord;

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

absl::StatusOr<int> RetentionSweeper::Sweep(int batch_size, bool scrub) {
  int purged = 0;
  absl::Status swept = SweepBatches(batch_size, &purged);
  // Outside the mutation lock: writers go on while the files are rewritten.
  absl::Status scrubbed = scrub ? ScrubPending() : absl::OkStatus();
  if (!swept.ok()) return swept;
  if (!scrubbed.ok()) return scrubbed;
  return purged;
}

absl::Status RetentionSweeper::ScrubPending() {
  constexpr int kMaxPerScrub = 1000;
  std::vector<std::string> keys;
  std::vector<storage::KeyRange> ranges;
  absl::Status bad;
  DSR_RETURN_IF_ERROR(store_->Scan(
      ColumnFamily::kPendingScrubs, "", "", [&](absl::string_view key, absl::string_view) {
        absl::StatusOr<std::vector<std::string>> parts = storage::keys::Decode(key);
        if (!parts.ok() || parts->size() != 1) {
          bad = absl::DataLossError("a pending scrub does not parse");
          return false;
        }
        keys.emplace_back(key);
        AddScrubRanges((*parts)[0], &ranges);
        return static_cast<int>(keys.size()) < kMaxPerScrub;
      }));
  DSR_RETURN_IF_ERROR(bad);
  if (keys.empty()) return absl::OkStatus();
  DSR_RETURN_IF_ERROR(store_->Scrub(ranges));
  Journal::Mutation done(journal_);
  for (const std::string& key : keys) done.batch().Delete(ColumnFamily::kPendingScrubs, key);
  return done.Commit(Principal::Broker());
}

absl::Status RetentionSweeper::SweepBatches(int batch_size, int* purged) {
  while (true) {
    Journal::Mutation mutation(journal_);
    const absl::Time now = mutation.now();
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

    storage::WriteBatch& batch = mutation.batch();
    InboxAppender& inbox = mutation.inbox();
    int batch_purged = 0;
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
      // An entry is current only if it is the request's final time, or the
      // time a late link reopened it and it is still open. Others are stale:
      // the request was reopened and answered again (its new final time has
      // its own entry), or is already purged.
      const int64_t entry_micros = entry.final_unix_micros;
      const auto is_entry = [entry_micros](const google::protobuf::Timestamp& time) {
        return absl::ToUnixMicros(FromProtoTime(time)) == entry_micros;
      };
      const bool still_final = request.has_final_time() && is_entry(request.final_time());
      const bool reopened_too_long = request.open_task_count() > 0 && request.has_reopen_time() &&
                                     is_entry(request.reopen_time());
      if ((!still_final && !reopened_too_long) || request.has_purge_time()) continue;
      if (reopened_too_long) {
        DSR_RETURN_IF_ERROR(WithdrawOpenTasks(request, now, batch, inbox));
        mutation.Audit("WithdrawUnansweredTasks", RequestName(entry.request_id));
      }
      DSR_RETURN_IF_ERROR(vault_->Purge(batch, now, &request));
      batch.Put(ColumnFamily::kRequests, storage::keys::Request(entry.request_id), request);
      mutation.Audit("PurgePersonalData", RequestName(entry.request_id));
      ++batch_purged;
      batch.PutEmpty(ColumnFamily::kPendingScrubs, storage::keys::Request(entry.request_id));
    }
    // Without an entry, only stale queue entries are dropped.
    DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
    *purged += batch_purged;
  }
}

absl::Status RetentionSweeper::WithdrawOpenTasks(RequestRecord& request, absl::Time now,
                                                 storage::WriteBatch& batch,
                                                 InboxAppender& inbox) const {
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(storage::ScanRecords<TaskRecord>(
      *store_, ColumnFamily::kTasks, storage::keys::TasksOf(request.request_id()), "", "task",
      [&](absl::string_view, TaskRecord& task) {
        if (!IsTerminal(task.state())) tasks.push_back(std::move(task));
        return true;
      }));
  for (TaskRecord& task : tasks) {
    const TaskRecord before = task;
    task.set_state(dsr::v1::Task::CANCELLED);
    *task.mutable_update_time() = ToProtoTime(now);
    CountTaskChange(before.state(), task.state(), now, batch, &request);
    PutChangedTask(batch, before, task);
    DSR_RETURN_IF_ERROR(inbox.Append(task.actor_id(), dsr::v1::InboxEvent::TASK_CANCELLED,
                                     TaskName(task.request_id(), task.task_number())));
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
