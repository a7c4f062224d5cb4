#include "broker/task_writes.h"

#include "storage/keys.h"

namespace dsr::broker {

using storage::ColumnFamily;

void PutNewTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task) {
  PutTask(batch, task);
  batch.PutEmpty(ColumnFamily::kActorTasks,
                 storage::keys::ActorTask(task.actor_id(), task.request_id(), task.task_number()));
  dsr::storage::v1::HoldingTaskRecord on_holding;
  on_holding.set_task_number(task.task_number());
  batch.Put(ColumnFamily::kHoldingRequests,
            storage::keys::HoldingRequest(task.holding(), task.request_id()), on_holding);
}

void PutTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task) {
  batch.Put(ColumnFamily::kTasks, storage::keys::Task(task.request_id(), task.task_number()), task);
}

}  // namespace dsr::broker
