#include "broker/registry/graph.h"

#include <algorithm>

namespace dsr::broker {
namespace {

void EraseValue(std::vector<int>& v, int value) {
  auto it = std::find(v.begin(), v.end(), value);
  if (it != v.end()) {
    *it = v.back();
    v.pop_back();
  }
}

}  // namespace

void ProvenanceGraph::PutHolding(const GraphHolding& holding) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = node_index_.try_emplace(holding.name, static_cast<int>(nodes_.size()));
  if (inserted) {
    nodes_.push_back(Node{holding, {}, {}});
  } else {
    nodes_[it->second].holding = holding;
  }
}

void ProvenanceGraph::AddLink(const GraphLink& link) {
  absl::MutexLock lock(&mu_);
  const int child = node_index_.at(link.child);
  const int parent = node_index_.at(link.parent);
  int slot;
  if (free_edges_.empty()) {
    slot = static_cast<int>(edges_.size());
    edges_.push_back(Edge{});
  } else {
    slot = free_edges_.back();
    free_edges_.pop_back();
  }
  edges_[slot] = Edge{link.link_id, child, parent, link.relation, link.accepted};
  edge_index_[link.link_id] = slot;
  pair_index_[PairKey(child, parent)] = slot;
  if (link.accepted) {
    nodes_[child].up.push_back(slot);
    nodes_[parent].down.push_back(slot);
    ++accepted_links_;
  }
}

void ProvenanceGraph::AcceptLink(absl::string_view link_id) {
  absl::MutexLock lock(&mu_);
  auto it = edge_index_.find(link_id);
  if (it == edge_index_.end()) return;
  Edge& edge = edges_[it->second];
  if (edge.accepted) return;
  edge.accepted = true;
  nodes_[edge.child].up.push_back(it->second);
  nodes_[edge.parent].down.push_back(it->second);
  ++accepted_links_;
}

void ProvenanceGraph::RemoveLink(absl::string_view link_id) {
  absl::MutexLock lock(&mu_);
  auto it = edge_index_.find(link_id);
  if (it == edge_index_.end()) return;
  const int slot = it->second;
  Edge& edge = edges_[slot];
  if (edge.accepted) {
    EraseValue(nodes_[edge.child].up, slot);
    EraseValue(nodes_[edge.parent].down, slot);
    --accepted_links_;
  }
  pair_index_.erase(PairKey(edge.child, edge.parent));
  edge_index_.erase(it);
  edge = Edge{};
  free_edges_.push_back(slot);
}

bool ProvenanceGraph::HasHolding(absl::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  return node_index_.contains(name);
}

std::optional<std::string> ProvenanceGraph::FindLink(absl::string_view child,
                                                     absl::string_view parent) const {
  absl::ReaderMutexLock lock(&mu_);
  auto c = node_index_.find(child);
  auto p = node_index_.find(parent);
  if (c == node_index_.end() || p == node_index_.end()) return std::nullopt;
  auto e = pair_index_.find(PairKey(c->second, p->second));
  if (e == pair_index_.end()) return std::nullopt;
  return edges_[e->second].link_id;
}

bool ProvenanceGraph::WouldCloseCycle(absl::string_view child, absl::string_view parent) const {
  absl::ReaderMutexLock lock(&mu_);
  const int from = node_index_.at(child);
  const int target = node_index_.at(parent);
  if (from == target) return true;
  // Depth-first search downstream of the child for the parent.
  std::vector<bool> seen(nodes_.size(), false);
  std::vector<int> stack = {from};
  seen[from] = true;
  while (!stack.empty()) {
    const int node = stack.back();
    stack.pop_back();
    for (int e : nodes_[node].down) {
      const int next = edges_[e].child;
      if (next == target) return true;
      if (!seen[next]) {
        seen[next] = true;
        stack.push_back(next);
      }
    }
  }
  return false;
}

GraphLink ProvenanceGraph::ToGraphLink(int edge) const {
  const Edge& e = edges_[edge];
  return GraphLink{e.link_id, nodes_[e.child].holding.name, nodes_[e.parent].holding.name,
                   e.relation, e.accepted};
}

void ProvenanceGraph::WalkOneWay(int root, bool downstream, int max_depth, size_t max_holdings,
                                 Lineage* out) const {
  const WalkDirection direction =
      downstream ? WalkDirection::kDownstream : WalkDirection::kUpstream;
  // Links are bounded too (joins may link a few holdings many times over):
  // four looked at per holding allowed, each way.
  const size_t max_links = max_holdings > std::numeric_limits<size_t>::max() / 4
                               ? std::numeric_limits<size_t>::max()
                               : 4 * max_holdings;
  size_t looked_at = 0;
  // Breadth-first, so each node is reported at its smallest depth.
  absl::flat_hash_map<int, int> depth_of = {{root, 0}};
  std::vector<int> frontier = {root};
  for (int depth = 0; depth < max_depth && !frontier.empty(); ++depth) {
    std::vector<int> next_frontier;
    for (int node : frontier) {
      const std::vector<int>& edges = downstream ? nodes_[node].down : nodes_[node].up;
      for (int e : edges) {
        const int next = downstream ? edges_[e].child : edges_[e].parent;
        // Every link looked at counts, crossed or not: the walk's work is
        // bounded, not only its result.
        if (++looked_at > max_links) {
          out->truncated = true;
          return;
        }
        if (!depth_of.contains(next)) {
          if (out->nodes.size() >= max_holdings) {
            out->truncated = true;
            continue;  // neither the holding nor the link to it
          }
          depth_of.emplace(next, depth + 1);
          next_frontier.push_back(next);
          out->nodes.push_back(Lineage::Node{nodes_[next].holding, depth + 1, direction});
        }
        out->links.push_back(ToGraphLink(e));
      }
    }
    frontier = std::move(next_frontier);
  }
}

std::optional<Lineage> ProvenanceGraph::Walk(absl::string_view root, WalkDirection direction,
                                             int max_depth, size_t max_holdings) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = node_index_.find(root);
  if (it == node_index_.end()) return std::nullopt;
  Lineage lineage;
  lineage.nodes.push_back(Lineage::Node{nodes_[it->second].holding, 0, WalkDirection::kBoth});
  if (direction != WalkDirection::kDownstream) {
    WalkOneWay(it->second, false, max_depth, max_holdings, &lineage);
  }
  if (direction != WalkDirection::kUpstream) {
    WalkOneWay(it->second, true, max_depth, max_holdings, &lineage);
  }
  return lineage;
}

Neighbours ProvenanceGraph::NeighboursOf(absl::string_view name, size_t max_each) const {
  absl::ReaderMutexLock lock(&mu_);
  Neighbours out;
  auto it = node_index_.find(name);
  if (it == node_index_.end()) return out;
  const Node& node = nodes_[it->second];
  for (const bool parents : {true, false}) {
    const std::vector<int>& edges = parents ? node.up : node.down;
    std::vector<std::string>& list = parents ? out.parents : out.children;
    const size_t named = std::min(edges.size(), max_each);
    list.reserve(named);
    for (size_t i = 0; i < named; ++i) {
      const Edge& edge = edges_[edges[i]];
      list.push_back(nodes_[parents ? edge.parent : edge.child].holding.name);
    }
    (parents ? out.more_parents : out.more_children) = edges.size() - named;
  }
  return out;
}

ReachResult ProvenanceGraph::Reach(const std::vector<std::string>& roots, bool downstream,
                                   const ReachLimits& limits, const std::vector<int>& root_depths,
                                   const absl::flat_hash_set<std::string>* boundary) const {
  absl::ReaderMutexLock lock(&mu_);
  ReachResult result;
  std::vector<Reached>& out = result.reached;
  std::vector<int> node_of;  // graph node of out[i]
  absl::flat_hash_map<int, int> index_of;
  for (size_t r = 0; r < roots.size(); ++r) {
    auto it = node_index_.find(roots[r]);
    if (it == node_index_.end() || index_of.contains(it->second)) continue;
    if (boundary != nullptr && boundary->contains(roots[r])) continue;
    const int depth = r < root_depths.size() ? root_depths[r] : 0;
    if (depth > limits.max_depth) {
      result.too_deep = true;
      continue;
    }
    if (out.size() >= limits.max_holdings) {
      result.too_many = true;
      return result;
    }
    index_of.emplace(it->second, out.size());
    out.push_back(
        Reached{nodes_[it->second].holding, -1, r < root_depths.size() ? root_depths[r] : 0});
    node_of.push_back(it->second);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const Node& node = nodes_[node_of[i]];
    const int depth = out[i].depth + 1;
    for (int e : downstream ? node.down : node.up) {
      const int next = downstream ? edges_[e].child : edges_[e].parent;
      if (index_of.contains(next)) continue;
      if (boundary != nullptr && boundary->contains(nodes_[next].holding.name)) continue;
      if (depth > limits.max_depth) {
        result.too_deep = true;
        continue;
      }
      if (out.size() >= limits.max_holdings) {
        result.too_many = true;
        return result;
      }
      index_of.emplace(next, out.size());
      out.push_back(Reached{nodes_[next].holding, static_cast<int>(i), depth});
      node_of.push_back(next);
    }
  }
  return result;
}

int ProvenanceGraph::holding_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int>(nodes_.size());
}

int ProvenanceGraph::link_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return accepted_links_;
}

}  // namespace dsr::broker
