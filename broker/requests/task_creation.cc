#include "broker/requests/task_creation.h"

#include "broker/base/names.h"
#include "broker/base/time_util.h"
#include "broker/requests/deadlines.h"
#include "broker/requests/request_records.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

absl::StatusOr<std::vector<dsr::storage::v1::TaskRecord>> CreateTasks(
    const std::string& request_id, uint64_t first_number, const RoutePlan& plan,
    absl::flat_hash_map<std::string, uint64_t>& numbers, absl::Time now, storage::WriteBatch& batch,
    InboxAppender& inbox) {
  // Numbers first: a via may come later in the plan than its route.
  for (size_t i = 0; i < plan.routes.size(); ++i) {
    numbers[plan.routes[i].holding] = first_number + i;
  }
  const auto number_of = [&numbers](const std::string& via) -> uint64_t {
    auto it = numbers.find(via);
    return it == numbers.end() ? 0 : it->second;
  };
  std::vector<dsr::storage::v1::TaskRecord> tasks;
  tasks.reserve(plan.routes.size());
  const google::protobuf::Timestamp created = ToProtoTime(now);
  const google::protobuf::Timestamp due = ToProtoTime(DueTime(now, 0));
  for (size_t i = 0; i < plan.routes.size(); ++i) {
    const Route& route = plan.routes[i];
    DSR_ASSIGN_OR_RETURN(HoldingName holding, ParseHoldingName(route.holding, "route"));
    dsr::storage::v1::TaskRecord& task = tasks.emplace_back();
    task.set_request_id(request_id);
    task.set_task_number(first_number + i);
    task.set_holding(route.holding);
    task.set_actor_id(holding.actor_id);
    task.set_via(route.via);
    task.set_via_task(number_of(route.via));
    task.set_reason(route.reason);
    task.set_state(dsr::v1::Task::OPEN);
    *task.mutable_create_time() = created;
    *task.mutable_update_time() = created;
    *task.mutable_due_time() = due;
    PutNewTask(batch, task);
    DSR_RETURN_IF_ERROR(inbox.Append(holding.actor_id, dsr::v1::InboxEvent::TASK_CREATED,
                                     TaskName(request_id, task.task_number())));
  }
  for (const PassThrough& pass : plan.passes) {
    dsr::storage::v1::RouteNodeRecord node;
    node.set_via(pass.via);
    node.set_via_task(number_of(pass.via));
    batch.Put(storage::ColumnFamily::kRouteNodes,
              storage::keys::RouteNode(request_id, pass.holding), node);
  }
  return tasks;
}

}  // namespace dsr::broker
