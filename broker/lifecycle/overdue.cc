#include "broker/lifecycle/overdue.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "broker/base/principal.h"
#include "broker/base/time_util.h"
#include "broker/requests/milestones.h"
#include "broker/requests/request_records.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

absl::StatusOr<int> OverdueSweeper::Sweep(int batch_size) {
  int announced = 0;
  while (true) {
    Journal::Mutation mutation(journal_);
    const absl::Time now = mutation.now();
    const int64_t now_micros = absl::ToUnixMicros(now);
    std::vector<storage::keys::DueTaskKey> due;
    absl::Status bad;
    // The index is in due-time order: stop at the first task not yet due.
    DSR_RETURN_IF_ERROR(store_->Scan(
        ColumnFamily::kDueTasks, "", "", [&](absl::string_view key, absl::string_view) {
          absl::StatusOr<storage::keys::DueTaskKey> entry = storage::keys::ParseDueTask(key);
          if (!entry.ok()) {
            bad = entry.status();
            return false;
          }
          if (entry->due_unix_micros >= now_micros) return false;
          due.push_back(std::move(*entry));
          return static_cast<int>(due.size()) < batch_size;
        }));
    DSR_RETURN_IF_ERROR(bad);
    if (due.empty()) return announced;

    storage::WriteBatch& batch = mutation.batch();
    InboxAppender& inbox = mutation.inbox();
    absl::flat_hash_map<std::string, std::optional<dsr::storage::v1::RequestRecord>> told_now;
    for (const storage::keys::DueTaskKey& entry : due) {
      TaskRecord task;
      DSR_RETURN_IF_ERROR(store_->Get(
          ColumnFamily::kTasks, storage::keys::Task(entry.request_id, entry.task_number), &task));
      const TaskRecord before = task;
      task.set_overdue_announced(true);
      PutChangedTask(batch, before, task);  // leaves the due-time index
      const std::string name = TaskName(entry.request_id, entry.task_number);
      DSR_RETURN_IF_ERROR(inbox.Append(task.actor_id(), dsr::v1::InboxEvent::TASK_OVERDUE, name));
      mutation.Audit("AnnounceOverdue", name);
      // The person hears of the first overdue task of their request once.
      auto& told = told_now[entry.request_id];
      if (!told.has_value()) {
        DSR_ASSIGN_OR_RETURN(
            std::optional<dsr::storage::v1::RequestRecord> request,
            storage::GetIfPresent<dsr::storage::v1::RequestRecord>(
                *store_, ColumnFamily::kRequests, storage::keys::Request(entry.request_id)));
        told = request.value_or(dsr::storage::v1::RequestRecord());
        if (request.has_value() && !told->overdue_told() && told->email_updates()) {
          told->set_overdue_told(true);
          QueueMilestone(batch, &*told, dsr::storage::v1::OutboxRecord::OVERDUE, 0, now);
          batch.Put(ColumnFamily::kRequests, storage::keys::Request(entry.request_id), *told);
        }
      }
    }
    DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
    announced += static_cast<int>(due.size());
  }
}

}  // namespace dsr::broker
