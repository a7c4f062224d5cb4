#include "broker/requests/task_writes.h"

#include "broker/base/time_util.h"
#include "broker/requests/request_records.h"
#include "storage/keys.h"

namespace dsr::broker {

using storage::ColumnFamily;

namespace {

bool AwaitsAnswer(const dsr::storage::v1::TaskRecord& task) {
  // A task waiting for identity has no clock running (docs/IDENTITY.md).
  return !IsTerminal(task.state()) && !task.overdue_announced() &&
         task.state() != dsr::v1::Task::WAITING_FOR_IDENTITY;
}

std::string DueKey(const dsr::storage::v1::TaskRecord& task) {
  return storage::keys::DueTask(absl::ToUnixMicros(FromProtoTime(task.due_time())),
                                task.request_id(), task.task_number());
}

void PutRecord(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task) {
  batch.Put(ColumnFamily::kTasks, storage::keys::Task(task.request_id(), task.task_number()), task);
}

}  // namespace

void PutNewTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task) {
  PutRecord(batch, task);
  if (AwaitsAnswer(task)) batch.PutEmpty(ColumnFamily::kDueTasks, DueKey(task));
  batch.PutEmpty(ColumnFamily::kActorTasks,
                 storage::keys::ActorTask(task.actor_id(), task.request_id(), task.task_number()));
  dsr::storage::v1::HoldingTaskRecord on_holding;
  on_holding.set_task_number(task.task_number());
  batch.Put(ColumnFamily::kHoldingRequests,
            storage::keys::HoldingRequest(task.holding(), task.request_id()), on_holding);
}

void PutChangedTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& before,
                    const dsr::storage::v1::TaskRecord& after) {
  PutRecord(batch, after);
  const bool was = AwaitsAnswer(before);
  const bool is = AwaitsAnswer(after);
  if (was && (!is || DueKey(before) != DueKey(after))) {
    batch.Delete(ColumnFamily::kDueTasks, DueKey(before));
  }
  if (is && (!was || DueKey(before) != DueKey(after))) {
    batch.PutEmpty(ColumnFamily::kDueTasks, DueKey(after));
  }
}

}  // namespace dsr::broker
