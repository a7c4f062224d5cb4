#ifndef DSR_BROKER_ROUTING_H_
#define DSR_BROKER_ROUTING_H_

// Which holdings a request reaches (SPEC §3), from the in-memory provenance
// graph. Thread-safe (the graph is).

#include <string>
#include <vector>

#include "broker/graph.h"
#include "dsr/v1/request.pb.h"

namespace dsr::broker {

// A holding that gets a task.
struct Route {
  std::string holding;            // holding name
  std::string via;                // the holding it was forwarded through; empty for a target
  std::vector<std::string> path;  // target ... holding
  dsr::v1::Task::Reason reason = dsr::v1::Task::REASON_UNSPECIFIED;
};

// Routes from `targets` (holding names) with `scope`: one route per ACTIVE
// holding reached, however many paths reach it, targets first, then in
// breadth-first order. RETIRED holdings get no route, but routing passes
// through them. Targets not in the graph are ignored.
std::vector<Route> RouteRequest(const ProvenanceGraph& graph,
                                const std::vector<std::string>& targets,
                                dsr::v1::Request::LineageScope scope);

// Routes a request that already reached `parent` on to a newly linked `child`
// and its descendants (a late link), skipping holdings in `already`. Every
// route has reason LATE_LINK; paths start at `parent`.
std::vector<Route> RouteLateLink(const ProvenanceGraph& graph, const std::string& parent,
                                 const std::string& child, const std::vector<std::string>& already);

}  // namespace dsr::broker

#endif  // DSR_BROKER_ROUTING_H_
