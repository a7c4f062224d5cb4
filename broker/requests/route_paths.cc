#include "broker/requests/route_paths.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

RoutePaths::RoutePaths(const storage::Store* store, std::string request_id)
    : store_(store), request_id_(std::move(request_id)) {}

RoutePaths::Step RoutePaths::StepOf(const TaskRecord& task) {
  return Step{task.holding(), task.via(), task.via_task(),
              std::vector<std::string>(task.path().begin(), task.path().end())};
}

void RoutePaths::Know(const TaskRecord& task) {
  tasks_.try_emplace(task.task_number(), StepOf(task));
}

absl::StatusOr<const RoutePaths::Step*> RoutePaths::TaskStep(uint64_t task_number) {
  auto it = tasks_.find(task_number);
  if (it != tasks_.end()) return &it->second;
  TaskRecord task;
  absl::Status read =
      store_->Get(ColumnFamily::kTasks, storage::keys::Task(request_id_, task_number), &task);
  if (absl::IsNotFound(read)) return absl::DataLossError("a task's via task is missing");
  DSR_RETURN_IF_ERROR(read);
  return &tasks_.emplace(task_number, StepOf(task)).first->second;
}

absl::StatusOr<const RoutePaths::Step*> RoutePaths::NodeStep(const std::string& holding) {
  auto it = nodes_.find(holding);
  if (it != nodes_.end()) return &it->second;
  dsr::storage::v1::RouteNodeRecord node;
  absl::Status read =
      store_->Get(ColumnFamily::kRouteNodes, storage::keys::RouteNode(request_id_, holding), &node);
  if (read.ok()) {
    return &nodes_.emplace(holding, Step{holding, node.via(), node.via_task(), {}}).first->second;
  }
  if (!absl::IsNotFound(read)) return read;
  // A task that did not record its via's number: find it by holding.
  dsr::storage::v1::HoldingTaskRecord on_holding;
  read = store_->Get(ColumnFamily::kHoldingRequests,
                     storage::keys::HoldingRequest(holding, request_id_), &on_holding);
  if (absl::IsNotFound(read)) return absl::DataLossError("a step of a task's path is missing");
  DSR_RETURN_IF_ERROR(read);
  return TaskStep(on_holding.task_number());
}

absl::StatusOr<std::vector<std::string>> RoutePaths::Of(const TaskRecord& task) {
  if (!task.path().empty()) return std::vector<std::string>(task.path().begin(), task.path().end());
  std::vector<std::string> reversed = {task.holding()};
  std::string via = task.via();
  uint64_t via_task = task.via_task();
  std::vector<std::string> prefix;
  absl::flat_hash_set<std::string> seen = {task.holding()};
  while (!via.empty()) {
    if (!seen.insert(via).second) {
      return absl::DataLossError("a task's path does not reach its target");
    }
    const Step* step;
    if (via_task != 0) {
      DSR_ASSIGN_OR_RETURN(step, TaskStep(via_task));
    } else {
      DSR_ASSIGN_OR_RETURN(step, NodeStep(via));
    }
    if (step->holding != via) return absl::DataLossError("a task's via names another holding");
    if (!step->stored_path.empty()) {
      prefix = step->stored_path;  // ends with `via`
      break;
    }
    reversed.push_back(via);
    via = step->via;
    via_task = step->via_task;
  }
  std::vector<std::string> path = std::move(prefix);
  path.insert(path.end(), reversed.rbegin(), reversed.rend());
  return path;
}

}  // namespace dsr::broker
