#ifndef DSR_BROKER_REQUESTS_LATE_LINKS_H_
#define DSR_BROKER_REQUESTS_LATE_LINKS_H_

// Late links (SPEC §3): when a link child <- parent is accepted (at once
// within one organisation, else by the parent's owner), the standing
// requests that reached `parent` are forwarded to `child` and its
// descendants that lack a task for them. Erasure, rectification, restriction
// and objection follow unless the request was cancelled or its personal
// data purged, completed ones included (the copy may predate the answer);
// access and portability only while the request is open.
//
// A request that was final (every task answered) and gets a task this way
// is reopened: its retention clock stops, but it joins the retention queue
// again at the reopening time, so that R (the retention period) after it the
// sweep purges it even if the late tasks are never answered (retention.h).

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/base/limits.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/registry/graph.h"
#include "broker/registry/registry.h"
#include "storage/store.h"

namespace dsr::broker {

// How far one forwarding call got over the requests on the parent.
struct ForwardProgress {
  // Whether every request on the parent was considered.
  bool done = true;
  // The last request considered: the next call goes on after it.
  std::string last_request_id;
};

// Adds to `batch` (and `inbox`) the tasks of the requests to forward over
// the new link, those on `parent` after `after_request_id` (all, when
// empty), and to `audit` one entry per request forwarded. Bounded: it stops
// after the request that brings the tasks it made to
// Limits::max_late_tasks_per_commit, or after kMaxRequestsPerForwardingStep
// requests, and says how far it got. The graph need not hold the new link
// yet. REQUIRES: within a Journal::Mutation.
inline constexpr int kMaxRequestsPerForwardingStep = 1000;
absl::StatusOr<ForwardProgress> ForwardOverNewLink(
    const storage::Store& store, const ProvenanceGraph& graph, const std::string& parent,
    const std::string& child, const std::string& after_request_id, absl::Time now,
    const Limits& limits, storage::WriteBatch& batch, InboxAppender& inbox,
    std::vector<AuditEntry>* audit);

// Adds to `batch` what the forwarding over link `link_id` left to do (a
// record in `forwarding`), or its removal when it is done.
void RecordForwarding(storage::WriteBatch& batch, const std::string& link_id,
                      const std::string& parent, const std::string& child,
                      const ForwardProgress& progress);

// The registry's LinkForwarding: ForwardOverNewLink's first step, and
// RecordForwarding of what is left. Thread-safe.
class NewLinkForwarding final : public LinkForwarding {
 public:
  // `store` must outlive it.
  NewLinkForwarding(const storage::Store* store, const Limits& limits)
      : store_(store), limits_(limits) {}
  absl::StatusOr<bool> Forward(const ProvenanceGraph& graph, const std::string& link_id,
                               const std::string& parent, const std::string& child, absl::Time now,
                               storage::WriteBatch& batch, InboxAppender& inbox,
                               std::vector<AuditEntry>* audit) const override;

 private:
  const storage::Store* const store_;
  const Limits limits_;
};

// Goes on with forwarding that a call left pending, one bounded commit at a
// time, in the broker's name: so that no call's work grows with the number
// of requests a link carries. Thread-safe.
class LateLinkForwarder {
 public:
  // All must outlive the forwarder.
  LateLinkForwarder(storage::Store* store, Journal* journal, const ProvenanceGraph* graph,
                    const Limits& limits)
      : store_(store), journal_(journal), graph_(graph), limits_(limits) {}

  // One commit's worth of a pending forwarding (the first by link id).
  // False when nothing is pending. Forwarding over a link deleted or
  // rejected since is dropped; a damaged one (DATA_LOSS, INVALID_ARGUMENT)
  // is given up (logged and audited), so that it cannot block the others;
  // other errors are returned, and the step is tried again later.
  absl::StatusOr<bool> Step();
  // Steps until nothing is pending or `stop` says so; returns how many
  // steps it took.
  absl::StatusOr<int> Drain(const std::function<bool()>& stop = nullptr);

 private:
  storage::Store* const store_;
  Journal* const journal_;
  const ProvenanceGraph* const graph_;
  const Limits limits_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_LATE_LINKS_H_
