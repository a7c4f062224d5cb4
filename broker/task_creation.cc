#include "broker/task_creation.h"

#include "broker/deadlines.h"
#include "broker/names.h"
#include "broker/request_records.h"
#include "broker/status_macros.h"
#include "broker/task_writes.h"
#include "broker/time_util.h"

namespace dsr::broker {

absl::StatusOr<dsr::storage::v1::TaskRecord> CreateTask(const std::string& request_id,
                                                        uint64_t task_number, const Route& route,
                                                        absl::Time now, storage::WriteBatch& batch,
                                                        InboxAppender& inbox) {
  DSR_ASSIGN_OR_RETURN(HoldingName holding, ParseHoldingName(route.holding, "route"));
  dsr::storage::v1::TaskRecord task;
  task.set_request_id(request_id);
  task.set_task_number(task_number);
  task.set_holding(route.holding);
  task.set_actor_id(holding.actor_id);
  task.set_via(route.via);
  for (const std::string& step : route.path) task.add_path(step);
  task.set_reason(route.reason);
  task.set_state(dsr::v1::Task::OPEN);
  *task.mutable_create_time() = ToProtoTime(now);
  *task.mutable_update_time() = task.create_time();
  *task.mutable_due_time() = ToProtoTime(DueTime(now, 0));
  PutNewTask(batch, task);
  DSR_RETURN_IF_ERROR(inbox.Append(holding.actor_id, dsr::v1::InboxEvent::TASK_CREATED,
                                   TaskName(request_id, task_number)));
  return task;
}

}  // namespace dsr::broker
