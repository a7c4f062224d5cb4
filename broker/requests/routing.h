#ifndef DSR_BROKER_REQUESTS_ROUTING_H_
#define DSR_BROKER_REQUESTS_ROUTING_H_

// Which holdings a request reaches (SPEC §3), from the in-memory provenance
// graph. Thread-safe (the graph is).
//
// A request's routes form one tree: each holding reached records only `via`,
// the holding it was forwarded through, so a route costs the same whatever
// its depth (a task's path is the chain of vias up to its target). Retired
// holdings get no task but are steps of their descendants' paths: they are
// the plan's pass-throughs.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "broker/base/limits.h"
#include "broker/registry/graph.h"
#include "dsr/v1/request.pb.h"

namespace dsr::broker {

// A holding that gets a task.
struct Route {
  std::string holding;  // holding name
  std::string via;      // the holding it was forwarded through; empty for a target
  dsr::v1::Task::Reason reason = dsr::v1::Task::REASON_UNSPECIFIED;
};

// A retired holding the request passed through.
struct PassThrough {
  std::string holding;
  std::string via;  // empty for a retired target
};

struct RoutePlan {
  // One per ACTIVE holding reached, targets first, then in breadth-first
  // order.
  std::vector<Route> routes;
  std::vector<PassThrough> passes;

  // The path target ... `holding` of a holding of this plan (route or
  // pass-through), from the vias; `holding` alone if it is not in the plan.
  // Not thread-safe (it caches the vias).
  std::vector<std::string> PathOf(const std::string& holding) const;

 private:
  mutable absl::flat_hash_map<std::string, std::string> via_of_;
};

// What one request may reach.
struct RouteLimits {
  // Holdings reached, retired ones included. Default: 100,000.
  int max_holdings = 100000;
  // Links between a target and any holding reached. Default: 1,000.
  int max_depth = 1000;
};

inline RouteLimits RouteLimitsOf(const Limits& limits) {
  return RouteLimits{limits.max_tasks_per_request, limits.max_routing_depth};
}

// Routes from `targets` (holding names) with `scope`: one route per ACTIVE
// holding reached, however many paths reach it. RETIRED holdings get no
// route, but routing passes through them. Targets not in the graph are
// ignored. RESOURCE_EXHAUSTED, naming the limit, if the request would reach
// more holdings or deeper than `limits`.
absl::StatusOr<RoutePlan> RouteRequest(const ProvenanceGraph& graph,
                                       const std::vector<std::string>& targets,
                                       dsr::v1::Request::LineageScope scope,
                                       const RouteLimits& limits = {});

// Routes a request that already reached `parent` (at `parent_depth` links
// from its target) on to a newly linked `child` and its descendants (a late
// link). Holdings in `in_tree` (the request's tasks and retired route
// nodes) are neither routed again nor walked through: what lies below them
// was routed when they were (or by the late link that hung it there). Every
// route has reason LATE_LINK. At most `max_new` holdings are added and none
// deeper than limits.max_depth: `*truncated` says whether some were left
// out.
RoutePlan RouteLateLink(const ProvenanceGraph& graph, const std::string& parent,
                        const std::string& child, const absl::flat_hash_set<std::string>& in_tree,
                        int parent_depth, int max_new, const RouteLimits& limits, bool* truncated);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_ROUTING_H_
