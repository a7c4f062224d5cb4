#include "broker/lifecycle/overdue.h"

#include <vector>

#include "broker/base/principal.h"
#include "broker/base/time_util.h"
#include "broker/requests/request_records.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"

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
    }
    DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
    announced += static_cast<int>(due.size());
  }
}

}  // namespace dsr::broker
