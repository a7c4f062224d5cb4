#include "broker/requests/routing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "dsr/v1/holding.pb.h"

namespace dsr::broker {
namespace {

bool Active(const GraphHolding& holding) { return holding.state == dsr::v1::Holding::ACTIVE; }

// The holding reached[i] was reached from; empty for a root.
std::string From(const std::vector<Reached>& reached, size_t i) {
  return reached[i].from < 0 ? std::string() : reached[reached[i].from].holding.name;
}

absl::Status Refusal(const ReachResult& reach, const RouteLimits& limits) {
  if (reach.too_many) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the request would reach more than ", limits.max_holdings,
        " holdings, the broker's limit per request; name narrower targets, or use lineage_scope "
        "TARGET_ONLY"));
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "the lineage of the targets is longer than ", limits.max_depth,
      " links, the broker's limit per request; name holdings further along it as targets, or use "
      "lineage_scope TARGET_ONLY"));
}

// Adds reached holding `holding` (forwarded through `via`) to `plan`.
void Add(RoutePlan& plan, absl::flat_hash_map<std::string, std::string>& via_of,
         const GraphHolding& holding, const std::string& via, dsr::v1::Task::Reason reason) {
  via_of[holding.name] = via;
  if (Active(holding)) {
    plan.routes.push_back(Route{holding.name, via, reason});
  } else {
    plan.passes.push_back(PassThrough{holding.name, via});
  }
}

}  // namespace

std::vector<std::string> RoutePlan::PathOf(const std::string& holding) const {
  // Built on first use from the routes and pass-throughs.
  if (via_of_.empty()) {
    for (const Route& r : routes) via_of_[r.holding] = r.via;
    for (const PassThrough& p : passes) via_of_[p.holding] = p.via;
  }
  std::vector<std::string> path = {holding};
  // The tree has no cycle; the bound guards against a malformed plan.
  for (size_t steps = 0; steps <= via_of_.size(); ++steps) {
    auto it = via_of_.find(path.back());
    if (it == via_of_.end() || it->second.empty()) break;
    path.push_back(it->second);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

absl::StatusOr<RoutePlan> RouteRequest(const ProvenanceGraph& graph,
                                       const std::vector<std::string>& targets,
                                       dsr::v1::Request::LineageScope scope,
                                       const RouteLimits& limits) {
  const absl::flat_hash_set<std::string> target_set(targets.begin(), targets.end());
  const auto reason = [&](const std::string& holding) {
    return target_set.contains(holding) ? dsr::v1::Task::TARGET : dsr::v1::Task::LINEAGE;
  };
  const ReachLimits reach_limits{static_cast<size_t>(limits.max_holdings), limits.max_depth};
  RoutePlan plan;
  absl::flat_hash_map<std::string, std::string> via_of;

  if (scope == dsr::v1::Request::TARGET_ONLY) {
    ReachResult roots =
        graph.Reach(targets, /*downstream=*/false, ReachLimits{reach_limits.max_holdings, 0});
    if (roots.too_many) return Refusal(roots, limits);
    for (const Reached& r : roots.reached) {
      // A retired target gets no task, as anywhere else.
      if (Active(r.holding)) {
        plan.routes.push_back(Route{r.holding.name, "", dsr::v1::Task::TARGET});
      }
    }
    return plan;
  }

  std::vector<std::string> roots = targets;
  std::vector<int> root_depths;
  if (scope == dsr::v1::Request::FULL_LINEAGE) {
    // Up from the targets; each ancestor is forwarded through the holding
    // below it, and is a root of the walk down.
    ReachResult up = graph.Reach(targets, /*downstream=*/false, reach_limits);
    if (up.too_many || up.too_deep) return Refusal(up, limits);
    roots.clear();
    for (size_t i = 0; i < up.reached.size(); ++i) {
      roots.push_back(up.reached[i].holding.name);
      root_depths.push_back(up.reached[i].depth);
      via_of[up.reached[i].holding.name] = From(up.reached, i);
    }
  }
  ReachResult down = graph.Reach(roots, /*downstream=*/true, reach_limits, root_depths);
  if (down.too_many || down.too_deep) return Refusal(down, limits);
  for (size_t i = 0; i < down.reached.size(); ++i) {
    const Reached& r = down.reached[i];
    const std::string via = r.from < 0 && via_of.contains(r.holding.name) ? via_of[r.holding.name]
                                                                          : From(down.reached, i);
    Add(plan, via_of, r.holding, via, reason(r.holding.name));
  }
  // Targets first whatever the graph order.
  std::stable_partition(plan.routes.begin(), plan.routes.end(),
                        [](const Route& r) { return r.reason == dsr::v1::Task::TARGET; });
  for (Route& r : plan.routes) {
    if (r.reason == dsr::v1::Task::TARGET) r.via.clear();
  }
  return plan;
}

RoutePlan RouteLateLink(const ProvenanceGraph& graph, const std::string& parent,
                        const std::string& child, const absl::flat_hash_set<std::string>& in_tree,
                        int parent_depth, int max_new, const RouteLimits& limits, bool* truncated) {
  const ReachLimits reach_limits{static_cast<size_t>(limits.max_holdings), limits.max_depth};
  const ReachResult reach =
      graph.Reach({child}, /*downstream=*/true, reach_limits, {parent_depth + 1}, &in_tree);
  *truncated = reach.too_many || reach.too_deep;
  RoutePlan plan;
  absl::flat_hash_map<std::string, std::string> via_of;
  for (size_t i = 0; i < reach.reached.size(); ++i) {
    const Reached& r = reach.reached[i];
    if (Active(r.holding) && static_cast<int>(plan.routes.size()) >= max_new) {
      *truncated = true;  // this and every later (deeper) holding
      break;
    }
    Add(plan, via_of, r.holding, r.from < 0 ? parent : From(reach.reached, i),
        dsr::v1::Task::LATE_LINK);
  }
  return plan;
}

}  // namespace dsr::broker
