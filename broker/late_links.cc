#include "broker/late_links.h"

#include "broker/deadlines.h"
#include "broker/names.h"
#include "broker/request_records.h"
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
  std::vector<std::string> request_ids;
  absl::Status bad;
  DSR_RETURN_IF_ERROR(store.Scan(ColumnFamily::kHoldingRequests,
                                 storage::keys::HoldingRequestsOf(parent), "",
                                 [&](absl::string_view key, absl::string_view) {
                                   absl::StatusOr<storage::keys::HoldingRequestKey> entry =
                                       storage::keys::ParseHoldingRequest(key);
                                   if (!entry.ok()) {
                                     bad = entry.status();
                                     return false;
                                   }
                                   request_ids.push_back(std::move(entry->request_id));
                                   return true;
                                 }));
  DSR_RETURN_IF_ERROR(bad);

  for (const std::string& request_id : request_ids) {
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
    std::vector<std::string> already;
    already.reserve(tasks.size());
    for (const TaskRecord& task : tasks) already.push_back(task.holding());
    (void)limits;
    const std::vector<Route> routes = RouteLateLink(graph, parent, child, already);
    if (routes.empty()) continue;
    const bool was_final = request.open_task_count() == 0;
    for (const Route& route : routes) {
      request.set_task_count(request.task_count() + 1);
      DSR_ASSIGN_OR_RETURN(TaskRecord task,
                           CreateTask(request_id, request.task_count(), route, now, batch, inbox));
      CountTaskChange(0, task.state(), now, batch, &request);
    }
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
