#include "broker/late_links.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/deadlines.h"
#include "broker/log.h"
#include "broker/names.h"
#include "broker/request_records.h"
#include "broker/route_paths.h"
#include "broker/routing.h"
#include "broker/status_macros.h"
#include "broker/task_creation.h"
#include "broker/time_util.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

namespace {

bool FollowsLateLinks(const RequestRecord& request, const std::vector<TaskRecord>& tasks) {
  if (request.cancelled()) return false;
  // Without its personal data there is nothing to forward.
  if (request.has_purge_time()) return false;
  if (request.type() != dsr::v1::ACCESS && request.type() != dsr::v1::PORTABILITY) return true;
  for (const TaskRecord& task : tasks) {
    if (!IsTerminal(task.state())) return true;  // still open
  }
  return false;
}

}  // namespace

absl::Status ForwardOverNewLink(const storage::Store& store, const ProvenanceGraph& graph,
                                const std::string& parent, const std::string& child, absl::Time now,
                                const Limits& limits, storage::WriteBatch& batch,
                                InboxAppender& inbox, std::vector<AuditEntry>* audit) {
  std::vector<std::pair<std::string, uint64_t>> on_parent;  // request id, task number
  absl::Status bad;
  DSR_RETURN_IF_ERROR(store.Scan(
      ColumnFamily::kHoldingRequests, storage::keys::HoldingRequestsOf(parent), "",
      [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<storage::keys::HoldingRequestKey> entry =
            storage::keys::ParseHoldingRequest(key);
        dsr::storage::v1::HoldingTaskRecord task;
        if (!entry.ok() || !task.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          bad = absl::DataLossError("a holding_requests entry does not parse");
          return false;
        }
        on_parent.emplace_back(std::move(entry->request_id), task.task_number());
        return true;
      }));
  DSR_RETURN_IF_ERROR(bad);

  const RouteLimits route_limits = RouteLimitsOf(limits);
  for (const auto& [request_id, parent_task] : on_parent) {
    RequestRecord request;
    DSR_RETURN_IF_ERROR(
        store.Get(ColumnFamily::kRequests, storage::keys::Request(request_id), &request));
    std::vector<TaskRecord> tasks;
    DSR_RETURN_IF_ERROR(store.Scan(ColumnFamily::kTasks, storage::keys::TasksOf(request_id), "",
                                   [&](absl::string_view, absl::string_view value) {
                                     if (!tasks.emplace_back().ParseFromArray(
                                             value.data(), static_cast<int>(value.size()))) {
                                       bad = absl::DataLossError("a stored task does not parse");
                                       return false;
                                     }
                                     return true;
                                   }));
    DSR_RETURN_IF_ERROR(bad);
    if (!FollowsLateLinks(request, tasks)) continue;
    absl::flat_hash_set<std::string> tasked;
    absl::flat_hash_map<std::string, uint64_t> numbers;
    RoutePaths paths(&store, request_id, limits.max_routing_depth + 1);
    const TaskRecord* on_parent_task = nullptr;
    for (const TaskRecord& task : tasks) {
      tasked.insert(task.holding());
      numbers[task.holding()] = task.task_number();
      paths.Know(task);
      if (task.task_number() == parent_task) on_parent_task = &task;
    }
    if (on_parent_task == nullptr) return absl::DataLossError("a holding_requests entry is stale");
    DSR_ASSIGN_OR_RETURN(std::vector<std::string> parent_path, paths.Of(*on_parent_task));
    const int room = std::max(0, limits.max_tasks_per_request - static_cast<int>(tasks.size()));
    bool truncated = false;
    RoutePlan plan =
        RouteLateLink(graph, parent, child, tasked, static_cast<int>(parent_path.size()) - 1, room,
                      route_limits, &truncated);
    if (truncated) {
      LogInfo(absl::StrCat("late link: ", RequestName(request_id),
                           " is forwarded no further than the broker's limits per request"));
    }
    // A retired holding the request passed through already keeps its step.
    std::vector<PassThrough> new_passes;
    for (PassThrough& pass : plan.passes) {
      DSR_ASSIGN_OR_RETURN(bool known,
                           store.Contains(ColumnFamily::kRouteNodes,
                                          storage::keys::RouteNode(request_id, pass.holding)));
      if (!known) new_passes.push_back(std::move(pass));
    }
    plan.passes = std::move(new_passes);
    if (plan.routes.empty()) continue;
    const bool was_final = request.open_task_count() == 0;
    DSR_ASSIGN_OR_RETURN(
        std::vector<TaskRecord> made,
        CreateTasks(request_id, request.task_count() + 1, plan, numbers, now, batch, inbox));
    for (const TaskRecord& task : made) CountTaskChange(0, task.state(), now, batch, &request);
    request.set_task_count(request.task_count() + made.size());
    if (was_final) {
      // Bounded: purged R after now at the latest, answered or not.
      *request.mutable_reopen_time() = ToProtoTime(now);
      batch.PutEmpty(ColumnFamily::kFinalRequests,
                     storage::keys::FinalRequest(absl::ToUnixMicros(now), request_id));
    }
    batch.Put(ColumnFamily::kRequests, storage::keys::Request(request_id), request);
    audit->push_back(AuditEntry{"ForwardOverLateLink", RequestName(request_id)});
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
