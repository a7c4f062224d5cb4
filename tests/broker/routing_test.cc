#include "broker/requests/routing.h"

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
                                      dsr::v1::Request::LineageScope scope,
                                      const RouteLimits& limits = {}) {
    std::map<std::string, Route> out;
    absl::StatusOr<RoutePlan> plan = RouteRequest(graph_, targets, scope, limits);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return out;
    plan_ = std::move(*plan);
    for (Route& r : plan_.routes) {
      EXPECT_TRUE(out.emplace(r.holding, r).second) << "two routes to " << r.holding;
    }
    return out;
  }
  using Path = std::vector<std::string>;
  Path PathOf(const std::string& holding) const { return plan_.PathOf(holding); }
  // A chain c0 <- c1 <- ... <- c{n-1}.
  void Chain(int n) {
    for (int i = 0; i < n; ++i) {
      Holding("c" + std::to_string(i));
      if (i > 0) Link("c" + std::to_string(i), "c" + std::to_string(i - 1));
    }
  }
  ProvenanceGraph graph_;
  RoutePlan plan_;
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
  EXPECT_EQ(PathOf("c"), (Path{"a", "b", "c"}));
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
  EXPECT_EQ(PathOf("join").size(), 3u);
  EXPECT_EQ(PathOf("below").size(), 4u);
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
  EXPECT_EQ(PathOf("web"), (Path{"model", "corpus", "web"}));
  EXPECT_EQ(PathOf("other-corpus"), (Path{"model", "corpus", "web", "other-corpus"}));
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
  EXPECT_EQ(PathOf("c"), (Path{"a", "retired", "c"}));
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
  bool truncated = true;
  RoutePlan plan = RouteLateLink(graph_, "a", "b", {"a", "d"}, 0, 100, {}, &truncated);
  EXPECT_FALSE(truncated);
  ASSERT_EQ(plan.routes.size(), 2u);
  EXPECT_EQ(plan.routes[0].holding, "b");
  EXPECT_EQ(plan.routes[0].via, "a");
  EXPECT_EQ(plan.PathOf("b"), (Path{"a", "b"}));
  EXPECT_EQ(plan.routes[1].holding, "c");
  EXPECT_EQ(plan.PathOf("c"), (Path{"a", "b", "c"}));
  EXPECT_EQ(plan.routes[1].reason, dsr::v1::Task::LATE_LINK);
}

TEST_F(RoutingTest, ARequestReachingTooManyOrTooDeepIsRefusedNamingTheLimit) {
  Chain(50);
  EXPECT_EQ(Routes({"c0"}, dsr::v1::Request::DOWNSTREAM, RouteLimits{50, 49}).size(), 50u);
  EXPECT_EQ(PathOf("c49").size(), 50u);
  absl::StatusOr<RoutePlan> deep =
      RouteRequest(graph_, {"c0"}, dsr::v1::Request::DOWNSTREAM, RouteLimits{1000, 48});
  EXPECT_EQ(deep.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(deep.status().message().find("longer than 48 links"), std::string::npos);
  absl::StatusOr<RoutePlan> wide =
      RouteRequest(graph_, {"c0"}, dsr::v1::Request::DOWNSTREAM, RouteLimits{49, 1000});
  EXPECT_EQ(wide.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(wide.status().message().find("more than 49 holdings"), std::string::npos);
  // Upward too: FULL_LINEAGE from the bottom is as deep.
  EXPECT_EQ(RouteRequest(graph_, {"c49"}, dsr::v1::Request::FULL_LINEAGE, RouteLimits{1000, 48})
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  // Starting lower is fine.
  EXPECT_EQ(Routes({"c10"}, dsr::v1::Request::DOWNSTREAM, RouteLimits{1000, 48}).size(), 40u);
}

TEST_F(RoutingTest, RetiredStepsArePassThroughsOfThePlan) {
  Holding("a");
  Holding("gone", /*retired=*/true);
  Holding("b");
  Link("gone", "a");
  Link("b", "gone");
  Routes({"a"}, dsr::v1::Request::DOWNSTREAM);
  ASSERT_EQ(plan_.passes.size(), 1u);
  EXPECT_EQ(plan_.passes[0].holding, "gone");
  EXPECT_EQ(plan_.passes[0].via, "a");
}

TEST_F(RoutingTest, ALateLinkForwardsWithinTheRequestsRoomAndDepth) {
  Chain(10);
  Holding("top");
  Link("c0", "top");  // the late link: top is the parent, at depth 5 in its request
  bool truncated = false;
  RoutePlan plan = RouteLateLink(graph_, "top", "c0", {}, 5, 100, RouteLimits{1000, 8}, &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_EQ(plan.routes.size(), 3u);  // c0, c1, c2 at depths 6, 7, 8
  plan = RouteLateLink(graph_, "top", "c0", {}, 0, 4, RouteLimits{}, &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_EQ(plan.routes.size(), 4u);
  plan = RouteLateLink(graph_, "top", "c0", {}, 0, 100, RouteLimits{}, &truncated);
  EXPECT_FALSE(truncated);
  EXPECT_EQ(plan.routes.size(), 10u);
}

}  // namespace
}  // namespace dsr::broker
