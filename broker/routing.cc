#include "broker/routing.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "dsr/v1/holding.pb.h"

namespace dsr::broker {
namespace {

// The path of reached[i]: `prefix` of its root, then the holdings from the
// root down to it.
std::vector<std::string> PathOf(
    const std::vector<Reached>& reached, int i,
    const absl::flat_hash_map<std::string, std::vector<std::string>>* root_prefix) {
  std::vector<std::string> reversed;
  int at = i;
  for (; reached[at].from >= 0; at = reached[at].from) reversed.push_back(reached[at].holding.name);
  std::vector<std::string> path;
  auto prefix = root_prefix != nullptr ? root_prefix->find(reached[at].holding.name)
                                       : decltype(root_prefix->end()){};
  if (root_prefix != nullptr && prefix != root_prefix->end()) {
    path = prefix->second;
  } else {
    path.push_back(reached[at].holding.name);
  }
  path.insert(path.end(), reversed.rbegin(), reversed.rend());
  return path;
}

bool Active(const GraphHolding& holding) { return holding.state == dsr::v1::Holding::ACTIVE; }

}  // namespace

std::vector<Route> RouteRequest(const ProvenanceGraph& graph,
                                const std::vector<std::string>& targets,
                                dsr::v1::Request::LineageScope scope) {
  const absl::flat_hash_set<std::string> target_set(targets.begin(), targets.end());
  std::vector<Route> routes;
  absl::flat_hash_set<std::string> routed;
  auto add = [&](const std::string& holding, std::vector<std::string> path) {
    if (!routed.insert(holding).second) return;
    Route route;
    route.holding = holding;
    route.via = path.size() > 1 ? path[path.size() - 2] : "";
    route.path = std::move(path);
    route.reason = target_set.contains(holding) ? dsr::v1::Task::TARGET : dsr::v1::Task::LINEAGE;
    if (route.reason == dsr::v1::Task::TARGET) {
      route.via.clear();
      route.path = {holding};
    }
    routes.push_back(std::move(route));
  };

  if (scope == dsr::v1::Request::TARGET_ONLY) {
    for (const Reached& r : graph.Reach(targets, /*downstream=*/false)) {
      if (r.from < 0 && Active(r.holding)) add(r.holding.name, {r.holding.name});
    }
    return routes;
  }

  std::vector<std::string> roots = targets;
  absl::flat_hash_map<std::string, std::vector<std::string>> prefix;
  std::vector<Reached> upstream;
  if (scope == dsr::v1::Request::FULL_LINEAGE) {
    upstream = graph.Reach(targets, /*downstream=*/false);
    roots.clear();
    for (size_t i = 0; i < upstream.size(); ++i) {
      std::vector<std::string> path = PathOf(upstream, static_cast<int>(i), nullptr);
      roots.push_back(upstream[i].holding.name);
      prefix[upstream[i].holding.name] = path;
    }
  }
  // Targets (and, for FULL_LINEAGE, their ancestors) first, then the rest in
  // breadth-first order.
  const std::vector<Reached> reached = graph.Reach(roots, /*downstream=*/true);
  for (size_t i = 0; i < reached.size(); ++i) {
    if (!Active(reached[i].holding)) continue;
    add(reached[i].holding.name, PathOf(reached, static_cast<int>(i), &prefix));
  }
  // Keep targets first whatever the graph order.
  std::stable_partition(routes.begin(), routes.end(),
                        [](const Route& r) { return r.reason == dsr::v1::Task::TARGET; });
  return routes;
}

std::vector<Route> RouteLateLink(const ProvenanceGraph& graph, const std::string& parent,
                                 const std::string& child,
                                 const std::vector<std::string>& already) {
  const absl::flat_hash_set<std::string> skip(already.begin(), already.end());
  const std::vector<Reached> reached = graph.Reach({child}, /*downstream=*/true);
  absl::flat_hash_map<std::string, std::vector<std::string>> prefix = {{child, {parent, child}}};
  std::vector<Route> routes;
  for (size_t i = 0; i < reached.size(); ++i) {
    if (!Active(reached[i].holding) || skip.contains(reached[i].holding.name)) continue;
    Route route;
    route.holding = reached[i].holding.name;
    route.path = PathOf(reached, static_cast<int>(i), &prefix);
    route.via = route.path[route.path.size() - 2];
    route.reason = dsr::v1::Task::LATE_LINK;
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace dsr::broker
