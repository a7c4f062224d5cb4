#ifndef DSR_BROKER_REGISTRY_GRAPH_H_
#define DSR_BROKER_REGISTRY_GRAPH_H_

// The provenance graph held in memory: holdings as nodes, links as edges from
// parent to child (the way data flows). Built from the store at start and
// updated by the registry after each commit, so lineage queries and routing
// never walk RocksDB. Links not yet accepted by the parent's owner are known
// (FindLink sees them, so a pair is never declared twice) but no walk, reach
// or cycle check crosses them.
//
// Thread-safe: queries take a shared lock, mutations an exclusive one. The
// graph does not check what the registry checks (owners, duplicates, cycles);
// the registry asks first, then mutates, under its own write lock.

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace dsr::broker {

enum class WalkDirection { kUpstream, kDownstream, kBoth };

struct GraphHolding {
  // Resource name, `actors/{actor}/holdings/{holding}`.
  std::string name;
  std::string title;
  int kind = 0;   // dsr.v1.Holding.Kind value
  int state = 0;  // dsr.v1.Holding.State value
};

struct GraphLink {
  std::string link_id;
  std::string child;   // holding name
  std::string parent;  // holding name
  int relation = 0;    // dsr.v1.Link.Relation value
  // Whether walks cross it (dsr.v1.Link.ACCEPTED); false for a proposed or
  // rejected link.
  bool accepted = true;
};

// What a walk from one holding reached.
struct Lineage {
  struct Node {
    GraphHolding holding;
    int depth = 0;
    // kUpstream or kDownstream; kBoth for the root.
    WalkDirection direction = WalkDirection::kBoth;
  };
  // The root first, then breadth-first (by depth) on each side.
  std::vector<Node> nodes;
  // Every link crossed from a returned node towards the walk's direction;
  // both ends are among `nodes`.
  std::vector<GraphLink> links;
  // Whether holdings were left out because the walk reached `max_holdings`.
  bool truncated = false;
};

// A holding's direct parents and children over accepted links, named, at
// most a given number of each; the counts left out follow.
struct Neighbours {
  std::vector<std::string> parents;
  std::vector<std::string> children;
  size_t more_parents = 0;
  size_t more_children = 0;
};

// One holding reached by ProvenanceGraph::Reach.
struct Reached {
  GraphHolding holding;
  // Index (in Reach's result) of the holding it was reached from; -1 for a
  // root.
  int from = -1;
  // Links from the first root on its path: its root's depth plus the links
  // crossed since.
  int depth = 0;
};

// Bounds on what one Reach may visit, so that a call's work does not grow
// with the graph's shape without limit.
struct ReachLimits {
  // Most holdings reached, roots included.
  size_t max_holdings = std::numeric_limits<size_t>::max();
  // Deepest depth a holding may have.
  int max_depth = std::numeric_limits<int>::max();
};

struct ReachResult {
  std::vector<Reached> reached;
  // Whether holdings were left out because of max_holdings (then the walk
  // stopped there) or max_depth (then deeper holdings were not followed).
  bool too_many = false;
  bool too_deep = false;
};

class ProvenanceGraph {
 public:
  ProvenanceGraph() = default;
  ProvenanceGraph(const ProvenanceGraph&) = delete;
  ProvenanceGraph& operator=(const ProvenanceGraph&) = delete;

  // Adds a holding, or replaces the title, kind and state of a known one.
  void PutHolding(const GraphHolding& holding) ABSL_LOCKS_EXCLUDED(mu_);
  // Adds a link. REQUIRES: both holdings are in the graph; no link with that
  // id or (child, parent) pair is.
  void AddLink(const GraphLink& link) ABSL_LOCKS_EXCLUDED(mu_);
  // Makes a link that was not accepted take part in walks; a missing or
  // accepted id is ignored.
  void AcceptLink(absl::string_view link_id) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes a link; a missing id is ignored.
  void RemoveLink(absl::string_view link_id) ABSL_LOCKS_EXCLUDED(mu_);

  bool HasHolding(absl::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // The id of the link between `child` and `parent`, accepted or not, if
  // there is one.
  std::optional<std::string> FindLink(absl::string_view child, absl::string_view parent) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Whether accepting the link child <- parent would close a cycle: `child`
  // is `parent` or data already flows from `child` to `parent` over accepted
  // links. Both holdings must be in the graph.
  bool WouldCloseCycle(absl::string_view child, absl::string_view parent) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Walks from `root` at most `max_depth` links in `direction`, reaching at
  // most `max_holdings` holdings (root included; upstream first, then
  // downstream) and looking at most at four links per holding allowed each
  // way; past either, `truncated`. nullopt if the root is not in the graph.
  std::optional<Lineage> Walk(absl::string_view root, WalkDirection direction, int max_depth,
                              size_t max_holdings = std::numeric_limits<size_t>::max()) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // `name`'s direct parents and children, at most `max_each` of each named;
  // empty if it is not in the graph. Costs O(max_each), whatever the degree.
  Neighbours NeighboursOf(absl::string_view name, size_t max_each) const ABSL_LOCKS_EXCLUDED(mu_);

  // Breadth-first from all `roots` at once, in their order, over links
  // downstream (or upstream), within `limits`. Each holding appears once,
  // reached by the first path found; roots first. Roots not in the graph are
  // skipped. `root_depths`, if not empty, gives each root's depth (default
  // 0); a root deeper than the limit is left out too. Holdings in
  // `boundary`, if given, are neither reached nor walked through.
  ReachResult Reach(const std::vector<std::string>& roots, bool downstream,
                    const ReachLimits& limits = {}, const std::vector<int>& root_depths = {},
                    const absl::flat_hash_set<std::string>* boundary = nullptr) const
      ABSL_LOCKS_EXCLUDED(mu_);

  int holding_count() const ABSL_LOCKS_EXCLUDED(mu_);
  // Accepted links.
  int link_count() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Node {
    GraphHolding holding;
    std::vector<int> up;    // edges to parents
    std::vector<int> down;  // edges to children
  };
  struct Edge {
    std::string link_id;
    int child;
    int parent;
    int relation;
    // In the nodes' up and down lists.
    bool accepted;
  };

  // Appends to `out` the nodes reached from `root` one way, with the links
  // crossed.
  void WalkOneWay(int root, bool downstream, int max_depth, size_t max_holdings, Lineage* out) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  GraphLink ToGraphLink(int edge) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  static uint64_t PairKey(int child, int parent) {
    return (static_cast<uint64_t>(child) << 32) | static_cast<uint32_t>(parent);
  }

  mutable absl::Mutex mu_;
  std::vector<Node> nodes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> node_index_ ABSL_GUARDED_BY(mu_);
  // Removed edges leave a free slot, reused by the next AddLink.
  std::vector<Edge> edges_ ABSL_GUARDED_BY(mu_);
  std::vector<int> free_edges_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> edge_index_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, int> pair_index_ ABSL_GUARDED_BY(mu_);
  int accepted_links_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_REGISTRY_GRAPH_H_
