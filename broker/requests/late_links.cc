#include "broker/requests/late_links.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/base/log.h"
#include "broker/base/names.h"
#include "broker/base/principal.h"
#include "broker/base/time_util.h"
#include "broker/requests/deadlines.h"
#include "broker/requests/request_records.h"
#include "broker/requests/request_types.h"
#include "broker/requests/route_paths.h"
#include "broker/requests/routing.h"
#include "broker/requests/task_creation.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/registry_records.pb.h"
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
  const RequestTypeTraits* traits = TraitsOf(request.type());
  if (traits == nullptr) return false;
  if (traits->forwarded_when_answered) return true;
  for (const TaskRecord& task : tasks) {
    if (!IsTerminal(task.state())) return true;  // still open
  }
  return false;
}

}  // namespace

absl::StatusOr<ForwardProgress> ForwardOverNewLink(
    const storage::Store& store, const ProvenanceGraph& graph, const std::string& parent,
    const std::string& child, const std::string& after_request_id, absl::Time now,
    const Limits& limits, storage::WriteBatch& batch, InboxAppender& inbox,
    std::vector<AuditEntry>* audit) {
  // One step's requests, plus one to tell whether more follow.
  std::vector<std::pair<std::string, uint64_t>> on_parent;  // request id, task number
  absl::Status bad;
  DSR_RETURN_IF_ERROR(store.Scan(
      ColumnFamily::kHoldingRequests, storage::keys::HoldingRequestsOf(parent),
      after_request_id.empty() ? "" : storage::keys::HoldingRequest(parent, after_request_id),
      [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<storage::keys::HoldingRequestKey> entry =
            storage::keys::ParseHoldingRequest(key);
        dsr::storage::v1::HoldingTaskRecord task;
        if (!entry.ok() || !task.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          bad = absl::DataLossError("a holding_requests entry does not parse");
          return false;
        }
        on_parent.emplace_back(std::move(entry->request_id), task.task_number());
        return on_parent.size() <= kMaxRequestsPerForwardingStep;
      }));
  DSR_RETURN_IF_ERROR(bad);

  const RouteLimits route_limits = RouteLimitsOf(limits);
  ForwardProgress progress;
  size_t made_in_all = 0;
  // Tasks read (to know what each request reached), bounded too: a step
  // stops at ten times the tasks it may make (one request at least).
  size_t read_in_all = 0;
  const size_t max_made = static_cast<size_t>(limits.max_late_tasks_per_commit);
  for (size_t r = 0; r < on_parent.size(); ++r) {
    const auto& [request_id, parent_task] = on_parent[r];
    if (r == kMaxRequestsPerForwardingStep || made_in_all >= max_made ||
        read_in_all >= 10 * max_made) {
      progress.done = false;
      break;
    }
    progress.last_request_id = request_id;
    RequestRecord request;
    DSR_RETURN_IF_ERROR(
        store.Get(ColumnFamily::kRequests, storage::keys::Request(request_id), &request));
    if (request.cancelled() || request.has_purge_time()) continue;
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
    read_in_all += tasks.size();
    if (!FollowsLateLinks(request, tasks)) continue;
    // What the request reached already, tasks and retired steps: the new
    // routes stop there (routing.h).
    absl::flat_hash_set<std::string> in_tree;
    absl::flat_hash_map<std::string, uint64_t> numbers;
    RoutePaths paths(&store, request_id);
    const TaskRecord* on_parent_task = nullptr;
    for (const TaskRecord& task : tasks) {
      in_tree.insert(task.holding());
      numbers[task.holding()] = task.task_number();
      paths.Know(task);
      if (task.task_number() == parent_task) on_parent_task = &task;
    }
    DSR_RETURN_IF_ERROR(store.Scan(
        ColumnFamily::kRouteNodes, storage::keys::RouteNodesOf(request_id), "",
        [&](absl::string_view key, absl::string_view) {
          absl::StatusOr<std::string> holding = storage::keys::ParseRouteNodeHolding(key);
          if (!holding.ok()) {
            bad = holding.status();
            return false;
          }
          in_tree.insert(*std::move(holding));
          return true;
        }));
    DSR_RETURN_IF_ERROR(bad);
    if (on_parent_task == nullptr) return absl::DataLossError("a holding_requests entry is stale");
    DSR_ASSIGN_OR_RETURN(std::vector<std::string> parent_path, paths.Of(*on_parent_task));
    const int room = std::max(0, limits.max_tasks_per_request - static_cast<int>(tasks.size()));
    bool truncated = false;
    RoutePlan plan =
        RouteLateLink(graph, parent, child, in_tree, static_cast<int>(parent_path.size()) - 1, room,
                      route_limits, &truncated);
    if (truncated) {
      LogInfo(absl::StrCat("late link: ", RequestName(request_id),
                           " is forwarded no further than the broker's limits per request"));
    }
    if (plan.routes.empty()) continue;
    const bool was_final = request.open_task_count() == 0;
    DSR_ASSIGN_OR_RETURN(
        std::vector<TaskRecord> made,
        CreateTasks(request_id, request.task_count() + 1, plan, numbers, now, batch, inbox));
    for (const TaskRecord& task : made) CountTaskChange(0, task.state(), now, batch, &request);
    request.set_task_count(request.task_count() + made.size());
    made_in_all += made.size();
    if (was_final) {
      // Bounded: purged R after now at the latest, answered or not.
      *request.mutable_reopen_time() = ToProtoTime(now);
      batch.PutEmpty(ColumnFamily::kFinalRequests,
                     storage::keys::FinalRequest(absl::ToUnixMicros(now), request_id));
    }
    batch.Put(ColumnFamily::kRequests, storage::keys::Request(request_id), request);
    audit->push_back(AuditEntry{"ForwardOverLateLink", RequestName(request_id)});
  }
  return progress;
}

void RecordForwarding(storage::WriteBatch& batch, const std::string& link_id,
                      const std::string& parent, const std::string& child,
                      const ForwardProgress& progress) {
  if (progress.done) {
    batch.Delete(ColumnFamily::kForwarding, storage::keys::Link(link_id));
    return;
  }
  dsr::storage::v1::ForwardingRecord pending;
  pending.set_parent(parent);
  pending.set_child(child);
  pending.set_after_request_id(progress.last_request_id);
  batch.Put(ColumnFamily::kForwarding, storage::keys::Link(link_id), pending);
}

absl::StatusOr<bool> LateLinkForwarder::Step() {
  Journal::Mutation mutation(journal_);
  std::string key;
  dsr::storage::v1::ForwardingRecord pending;
  absl::Status bad;
  DSR_RETURN_IF_ERROR(store_->Scan(
      ColumnFamily::kForwarding, "", "", [&](absl::string_view k, absl::string_view value) {
        key = std::string(k);
        if (!pending.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          bad = absl::DataLossError("a forwarding record does not parse");
        }
        return false;
      }));
  if (key.empty()) return false;
  // A record that can never be forwarded (damaged: DATA_LOSS, or a key or
  // value that does not parse) is given up, audited, in a commit of its own,
  // so that it does not stop the records after it forever. Any other error
  // may pass (the store), and is retried at the next round.
  const auto give_up = [&](const absl::Status& why) -> absl::StatusOr<bool> {
    if (!absl::IsDataLoss(why) && !absl::IsInvalidArgument(why)) return why;
    LogError(absl::StrCat("late-link forwarding: gave up a damaged pending forwarding: ",
                          why.ToString()));
    mutation.Reset();  // what the failed step collected goes
    mutation.batch().Delete(ColumnFamily::kForwarding, key);
    absl::StatusOr<std::string> id = storage::keys::ParseLink(key);
    mutation.Audit("AbandonLateLinkForwarding", id.ok() ? LinkName(*id) : "links/-");
    DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
    return true;
  };
  if (!bad.ok()) return give_up(bad);
  absl::StatusOr<std::string> parsed = storage::keys::ParseLink(key);
  if (!parsed.ok()) return give_up(parsed.status());
  const std::string link_id = *std::move(parsed);
  storage::WriteBatch& batch = mutation.batch();
  const absl::Time now = mutation.now();
  InboxAppender& inbox = mutation.inbox();
  // Only over a link still there and accepted.
  dsr::storage::v1::LinkRecord link;
  absl::Status read = store_->Get(ColumnFamily::kLinks, storage::keys::Link(link_id), &link);
  if (!read.ok() && !absl::IsNotFound(read)) return read;
  const bool live = read.ok() && (link.state() == dsr::v1::Link::ACCEPTED ||
                                  link.state() == dsr::v1::Link::STATE_UNSPECIFIED);
  ForwardProgress progress;
  if (live) {
    absl::StatusOr<ForwardProgress> step = ForwardOverNewLink(
        *store_, *graph_, pending.parent(), pending.child(), pending.after_request_id(), now,
        limits_, batch, inbox, &mutation.audit());
    if (!step.ok()) return give_up(step.status());
    progress = *std::move(step);
  }
  RecordForwarding(batch, link_id, pending.parent(), pending.child(), progress);
  // Without an entry (nothing forwarded) only the progress record changes.
  DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
  return true;
}

absl::StatusOr<int> LateLinkForwarder::Drain(const std::function<bool()>& stop) {
  int steps = 0;
  while (!(stop && stop())) {
    DSR_ASSIGN_OR_RETURN(bool stepped, Step());
    if (!stepped) return steps;
    ++steps;
  }
  return steps;
}

absl::StatusOr<bool> NewLinkForwarding::Forward(const ProvenanceGraph& graph,
                                                const std::string& link_id,
                                                const std::string& parent, const std::string& child,
                                                absl::Time now, storage::WriteBatch& batch,
                                                InboxAppender& inbox,
                                                std::vector<AuditEntry>* audit) const {
  DSR_ASSIGN_OR_RETURN(
      ForwardProgress progress,
      ForwardOverNewLink(*store_, graph, parent, child, "", now, limits_, batch, inbox, audit));
  RecordForwarding(batch, link_id, parent, child, progress);
  return !progress.done;
}

}  // namespace dsr::broker
