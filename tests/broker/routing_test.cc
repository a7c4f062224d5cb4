#include "broker/routing.h"

#include <map>

#include "dsr/v1/holding.pb.h"
#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

class RoutingTest : public ::testing::Test {
 protected:
  void Holding(const std::string& name, bool retired = false) {
    graph_.PutHolding(GraphHolding{name, name, dsr::v1::Holding::DATASET,
                                   retired ? dsr::v1::Holding::RETIRED : dsr::v1::Holding::ACTIVE});
  }
  void Link(const std::string& child, const std::string& parent) {
    graph_.AddLink(GraphLink{child + "<" + parent, child, parent, 3});
  }
  std::map<std::string, Route> Routes(const std::vector<std::string>& targets,
                                      dsr::v1::Request::LineageScope scope) {
    std::map<std::string, Route> out;
    for (Route& r : RouteRequest(graph_, targets, scope)) {
      EXPECT_TRUE(out.emplace(r.holding, r).second) << "two routes to " << r.holding;
    }
    return out;
  }
  using Path = std::vector<std::string>;
  ProvenanceGraph graph_;
};

TEST_F(RoutingTest, ChainDownstreamRecordsViaPathAndReason) {
  for (const char* h : {"a", "b", "c"}) Holding(h);
  Link("b", "a");
  Link("c", "b");
  auto routes = Routes({"a"}, dsr::v1::Request::DOWNSTREAM);
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes["a"].reason, dsr::v1::Task::TARGET);
  EXPECT_EQ(routes["a"].via, "");
  EXPECT_EQ(routes["c"].reason, dsr::v1::Task::LINEAGE);
  EXPECT_EQ(routes["c"].via, "b");
  EXPECT_EQ(routes["c"].path, (Path{"a", "b", "c"}));
  // Starting in the middle reaches nothing upstream.
  EXPECT_EQ(Routes({"b"}, dsr::v1::Request::DOWNSTREAM).size(), 2u);
}

TEST_F(RoutingTest, DiamondGivesOneTaskAtTheJoin) {
  for (const char* h : {"top", "left", "right", "join", "below"}) Holding(h);
  Link("left", "top");
  Link("right", "top");
  Link("join", "left");
  Link("join", "right");
  Link("below", "join");
  auto routes = Routes({"top"}, dsr::v1::Request::DOWNSTREAM);
  EXPECT_EQ(routes.size(), 5u);
  EXPECT_EQ(routes["join"].path.size(), 3u);
  EXPECT_EQ(routes["below"].path.size(), 4u);
}

TEST_F(RoutingTest, FullLineageFromAModelReachesAncestorsAndTheirOtherDescendants) {
  // web -> corpus -> model -> chat; web -> other-corpus (a sibling line).
  for (const char* h : {"web", "corpus", "model", "chat", "other-corpus", "unrelated"}) Holding(h);
  Link("corpus", "web");
  Link("model", "corpus");
  Link("chat", "model");
  Link("other-corpus", "web");
  auto full = Routes({"model"}, dsr::v1::Request::FULL_LINEAGE);
  EXPECT_EQ(full.size(), 5u);
  EXPECT_FALSE(full.count("unrelated"));
  EXPECT_EQ(full["model"].reason, dsr::v1::Task::TARGET);
  EXPECT_EQ(full["web"].reason, dsr::v1::Task::LINEAGE);
  EXPECT_EQ(full["web"].path, (Path{"model", "corpus", "web"}));
  EXPECT_EQ(full["other-corpus"].path, (Path{"model", "corpus", "web", "other-corpus"}));
  EXPECT_EQ(Routes({"model"}, dsr::v1::Request::DOWNSTREAM).size(), 2u);
}

TEST_F(RoutingTest, TargetOnlyStaysPut) {
  for (const char* h : {"a", "b"}) Holding(h);
  Link("b", "a");
  auto routes = Routes({"a"}, dsr::v1::Request::TARGET_ONLY);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes["a"].reason, dsr::v1::Task::TARGET);
}

TEST_F(RoutingTest, RetiredHoldingsGetNoTaskButPassTheRequestOn) {
  Holding("a");
  Holding("retired", /*retired=*/true);
  Holding("c");
  Link("retired", "a");
  Link("c", "retired");
  auto routes = Routes({"a"}, dsr::v1::Request::DOWNSTREAM);
  EXPECT_EQ(routes.size(), 2u);
  EXPECT_FALSE(routes.count("retired"));
  EXPECT_EQ(routes["c"].path, (Path{"a", "retired", "c"}));
  EXPECT_EQ(routes["c"].via, "retired");
  // A retired target passes the request on too.
  auto from_retired = Routes({"retired"}, dsr::v1::Request::DOWNSTREAM);
  EXPECT_EQ(from_retired.size(), 1u);
  EXPECT_TRUE(from_retired.count("c"));
}

TEST_F(RoutingTest, LateLinkRoutesTheNewChildAndItsDescendants) {
  for (const char* h : {"a", "b", "c", "d"}) Holding(h);
  Link("c", "b");
  Link("d", "c");
  Link("b", "a");  // the late link
  std::vector<Route> routes = RouteLateLink(graph_, "a", "b", {"a", "d"});
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].holding, "b");
  EXPECT_EQ(routes[0].path, (Path{"a", "b"}));
  EXPECT_EQ(routes[1].holding, "c");
  EXPECT_EQ(routes[1].path, (Path{"a", "b", "c"}));
  EXPECT_EQ(routes[1].reason, dsr::v1::Task::LATE_LINK);
}

}  // namespace
}  // namespace dsr::broker
