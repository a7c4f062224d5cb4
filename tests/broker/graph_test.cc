#include "broker/registry/graph.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

class GraphTest : public ::testing::Test {
 protected:
  void Holdings(std::initializer_list<const char*> names) {
    for (const char* n : names) graph_.PutHolding(GraphHolding{n, std::string("T ") + n, 1, 1});
  }
  void Link(const std::string& id, const std::string& child, const std::string& parent) {
    graph_.AddLink(GraphLink{id, child, parent, 3});
  }
  std::vector<std::pair<std::string, int>> Reached(const std::string& root, WalkDirection d,
                                                   int depth = 64) {
    std::vector<std::pair<std::string, int>> out;
    std::optional<Lineage> lineage = graph_.Walk(root, d, depth);
    EXPECT_TRUE(lineage.has_value());
    if (!lineage) return out;
    for (const Lineage::Node& n : lineage->nodes) out.emplace_back(n.holding.name, n.depth);
    return out;
  }
  std::set<std::string> Links(const std::string& root, WalkDirection d, int depth = 64) {
    std::set<std::string> out;
    std::optional<Lineage> lineage = graph_.Walk(root, d, depth);
    EXPECT_TRUE(lineage.has_value());
    if (!lineage) return out;
    for (const GraphLink& l : lineage->links) out.insert(l.link_id);
    return out;
  }

  ProvenanceGraph graph_;
};

using Pairs = std::vector<std::pair<std::string, int>>;

TEST_F(GraphTest, ChainDownstreamAndUpstreamWithDepths) {
  Holdings({"a", "b", "c", "d"});
  Link("l1", "b", "a");
  Link("l2", "c", "b");
  Link("l3", "d", "c");
  EXPECT_EQ(Reached("a", WalkDirection::kDownstream),
            (Pairs{{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}}));
  EXPECT_EQ(Reached("d", WalkDirection::kUpstream),
            (Pairs{{"d", 0}, {"c", 1}, {"b", 2}, {"a", 3}}));
  EXPECT_EQ(Reached("a", WalkDirection::kUpstream), (Pairs{{"a", 0}}));
  EXPECT_EQ(Reached("a", WalkDirection::kDownstream, 2), (Pairs{{"a", 0}, {"b", 1}, {"c", 2}}));
  EXPECT_EQ(Links("a", WalkDirection::kDownstream, 2), (std::set<std::string>{"l1", "l2"}));
}

TEST_F(GraphTest, DiamondReachesJoinOnceAndReportsBothLinks) {
  // a -> b -> d and a -> c -> d.
  Holdings({"a", "b", "c", "d"});
  Link("ab", "b", "a");
  Link("ac", "c", "a");
  Link("bd", "d", "b");
  Link("cd", "d", "c");
  Pairs reached = Reached("a", WalkDirection::kDownstream);
  ASSERT_EQ(reached.size(), 4u);
  EXPECT_EQ(reached.back(), (std::pair<std::string, int>{"d", 2}));
  EXPECT_EQ(Links("a", WalkDirection::kDownstream),
            (std::set<std::string>{"ab", "ac", "bd", "cd"}));
}

TEST_F(GraphTest, BothWalksUpAndDownButNotSideways) {
  Holdings({"p", "root", "c", "sibling"});
  Link("l1", "root", "p");
  Link("l2", "c", "root");
  Link("l3", "sibling", "p");
  std::optional<Lineage> both = graph_.Walk("root", WalkDirection::kBoth, 64);
  ASSERT_TRUE(both.has_value());
  std::set<std::string> names;
  for (const auto& n : both->nodes) names.insert(n.holding.name);
  EXPECT_EQ(names, (std::set<std::string>{"root", "p", "c"}));
  EXPECT_EQ(both->nodes[0].direction, WalkDirection::kBoth);
}

// A walk stops at its holding limit, and at four links per holding allowed
// (a complete DAG of 10 holdings has 45 links).
TEST_F(GraphTest, WalksAreBoundedInHoldingsAndLinks) {
  for (int i = 0; i < 10; ++i) graph_.PutHolding(GraphHolding{std::to_string(i), "", 1, 1});
  for (int i = 0; i < 10; ++i) {
    for (int j = i + 1; j < 10; ++j) {
      Link(std::to_string(i) + "-" + std::to_string(j), std::to_string(j), std::to_string(i));
    }
  }
  std::optional<Lineage> all = graph_.Walk("0", WalkDirection::kDownstream, 64, 12);
  ASSERT_TRUE(all.has_value());
  EXPECT_FALSE(all->truncated);
  EXPECT_EQ(all->nodes.size(), 10u);
  EXPECT_EQ(all->links.size(), 45u);

  std::optional<Lineage> few = graph_.Walk("0", WalkDirection::kDownstream, 64, 4);
  ASSERT_TRUE(few.has_value());
  EXPECT_TRUE(few->truncated);
  ASSERT_EQ(few->nodes.size(), 4u);
  std::set<std::string> names;
  for (const auto& n : few->nodes) names.insert(n.holding.name);
  for (const GraphLink& l : few->links) {
    EXPECT_TRUE(names.count(l.child) && names.count(l.parent)) << l.link_id;
  }

  std::optional<Lineage> joins = graph_.Walk("0", WalkDirection::kDownstream, 64, 10);
  ASSERT_TRUE(joins.has_value());
  EXPECT_TRUE(joins->truncated);
  EXPECT_EQ(joins->nodes.size(), 10u);
  EXPECT_EQ(joins->links.size(), 40u);
}

TEST_F(GraphTest, CycleDetection) {
  Holdings({"a", "b", "c", "x"});
  Link("l1", "b", "a");
  Link("l2", "c", "b");
  EXPECT_TRUE(graph_.WouldCloseCycle("a", "a"));   // self link
  EXPECT_TRUE(graph_.WouldCloseCycle("a", "b"));   // a <- b closes a->b->a
  EXPECT_TRUE(graph_.WouldCloseCycle("a", "c"));   // a <- c closes a->b->c->a
  EXPECT_FALSE(graph_.WouldCloseCycle("c", "a"));  // a shortcut, not a cycle
  EXPECT_FALSE(graph_.WouldCloseCycle("x", "c"));
}

TEST_F(GraphTest, RemovedLinkNoLongerWalkedAndPairFreed) {
  Holdings({"a", "b", "c"});
  Link("l1", "b", "a");
  Link("l2", "c", "b");
  ASSERT_EQ(graph_.FindLink("b", "a"), std::optional<std::string>("l1"));
  graph_.RemoveLink("l1");
  EXPECT_EQ(graph_.FindLink("b", "a"), std::nullopt);
  EXPECT_EQ(Reached("a", WalkDirection::kDownstream), (Pairs{{"a", 0}}));
  EXPECT_FALSE(graph_.WouldCloseCycle("a", "c"));
  // The freed slot is reused without disturbing the remaining link.
  Link("l3", "a", "c");
  EXPECT_EQ(Reached("b", WalkDirection::kDownstream), (Pairs{{"b", 0}, {"c", 1}, {"a", 2}}));
  EXPECT_EQ(graph_.link_count(), 2);
  graph_.RemoveLink("missing");  // ignored
  EXPECT_EQ(graph_.link_count(), 2);
}

TEST_F(GraphTest, PutHoldingUpdatesInPlace) {
  Holdings({"a"});
  graph_.PutHolding(GraphHolding{"a", "New title", 2, 2});
  std::optional<Lineage> lineage = graph_.Walk("a", WalkDirection::kDownstream, 1);
  ASSERT_TRUE(lineage.has_value());
  EXPECT_EQ(lineage->nodes[0].holding.title, "New title");
  EXPECT_EQ(lineage->nodes[0].holding.state, 2);
  EXPECT_EQ(graph_.holding_count(), 1);
  EXPECT_FALSE(graph_.Walk("missing", WalkDirection::kDownstream, 1).has_value());
}

}  // namespace
}  // namespace dsr::broker
