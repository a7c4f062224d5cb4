#include <set>

#include "tests/broker/registry_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

std::string H(const std::string& id) { return "actors/acme/holdings/" + id; }

TEST_F(RegistryTest, SelfLinkIsACycleOfLengthOne) {
  AddActor("acme");
  AddHolding("acme", "aaa");
  EXPECT_CODE(Link(H("aaa"), H("aaa")), StatusCode::kFailedPrecondition);
}

TEST_F(RegistryTest, BackLinkIsACycleOfLengthTwo) {
  AddActor("acme");
  AddHolding("acme", "aaa");
  AddHolding("acme", "bbb");
  ASSERT_OK(Link(H("bbb"), H("aaa")));
  EXPECT_CODE(Link(H("aaa"), H("bbb")), StatusCode::kFailedPrecondition);
}

TEST_F(RegistryTest, CycleOfLength500IsRefusedEvenAfterReopen) {
  AddActor("acme");
  const int n = 500;
  for (int i = 0; i < n; ++i) AddHolding("acme", "h-" + std::to_string(i));
  for (int i = 1; i < n; ++i) {
    ASSERT_OK(Link(H("h-" + std::to_string(i)), H("h-" + std::to_string(i - 1))));
  }
  EXPECT_CODE(Link(H("h-0"), H("h-" + std::to_string(n - 1))), StatusCode::kFailedPrecondition);
  // Lineage stops at the depth limit (64); the cycle check does not.
  EXPECT_EQ(Downstream(H("h-0")).size(), 64u);
  EXPECT_EQ(Downstream(H("h-0")).back(), H("h-64"));
  Reopen();
  EXPECT_CODE(Link(H("h-0"), H("h-" + std::to_string(n - 1))), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Downstream(H("h-436")).size(), 63u);
  // A shortcut along the chain's direction is no cycle.
  EXPECT_OK(Link(H("h-499"), H("h-0")));
}

TEST_F(RegistryTest, DiamondIsAllowedAndTheJoinIsReachedOnce) {
  AddActor("acme");
  for (const char* id : {"top", "left", "right", "join"}) AddHolding("acme", id);
  ASSERT_OK(Link(H("left"), H("top")));
  ASSERT_OK(Link(H("right"), H("top")));
  ASSERT_OK(Link(H("join"), H("left")));
  ASSERT_OK(Link(H("join"), H("right")));
  std::vector<std::string> down = Downstream(H("top"));
  EXPECT_EQ(std::multiset<std::string>(down.begin(), down.end()),
            (std::multiset<std::string>{H("left"), H("right"), H("join")}));

  dsr::v1::GetLineageRequest request;
  request.set_holding(H("join"));
  request.set_direction(dsr::v1::UPSTREAM);
  dsr::v1::GetLineageResponse response;
  ASSERT_OK(registry_->GetLineage(request, &response));
  ASSERT_EQ(response.nodes_size(), 4);
  EXPECT_EQ(response.nodes(3).holding(), H("top"));
  EXPECT_EQ(response.nodes(3).depth(), 2);
  EXPECT_EQ(response.nodes(3).direction(), dsr::v1::UPSTREAM);
  EXPECT_EQ(response.edges_size(), 4);
}

TEST_F(RegistryTest, DuplicateLinkIsAlreadyExistsWhateverTheRelation) {
  AddActor("acme");
  AddHolding("acme", "aaa");
  AddHolding("acme", "bbb");
  ASSERT_OK(Link(H("bbb"), H("aaa")));
  dsr::v1::CreateLinkRequest request;
  request.mutable_link()->set_child(H("bbb"));
  request.mutable_link()->set_parent(H("aaa"));
  request.mutable_link()->set_relation(dsr::v1::Link::COPY);
  dsr::v1::Link link;
  EXPECT_CODE(registry_->CreateLink(admin_, request, &link), StatusCode::kAlreadyExists);
}

TEST_F(RegistryTest, LinksAreDeclaredByTheChildsOwner) {
  AddActor("acme");
  AddActor("beta");
  AddHolding("acme", "source");
  const std::string copy = AddHolding("beta", "copy");
  dsr::v1::CreateLinkRequest request;
  request.mutable_link()->set_child(copy);
  request.mutable_link()->set_parent(H("source"));
  request.mutable_link()->set_relation(dsr::v1::Link::COPY);
  dsr::v1::Link link;
  EXPECT_CODE(registry_->CreateLink(Principal::Actor("acme"), request, &link),
              StatusCode::kPermissionDenied);
  EXPECT_CODE(registry_->CreateLink(Principal::Anonymous(), request, &link),
              StatusCode::kUnauthenticated);
  ASSERT_OK(registry_->CreateLink(Principal::Actor("beta"), request, &link));
  EXPECT_EQ(link.name().rfind("links/", 0), 0u);
  EXPECT_EQ(link.relation(), dsr::v1::Link::COPY);

  dsr::v1::DeleteLinkRequest del;
  del.set_name(link.name());
  EXPECT_CODE(registry_->DeleteLink(Principal::Actor("acme"), del), StatusCode::kPermissionDenied);
  EXPECT_CODE(registry_->DeleteLink(Principal::Anonymous(), del), StatusCode::kUnauthenticated);
  del.set_request_id("delete-1");
  ASSERT_OK(registry_->DeleteLink(Principal::Actor("beta"), del));
  ASSERT_OK(registry_->DeleteLink(Principal::Actor("beta"), del));  // a retry
  del.clear_request_id();
  EXPECT_CODE(registry_->DeleteLink(Principal::Actor("beta"), del), StatusCode::kNotFound);
  EXPECT_TRUE(Downstream(H("source")).empty());
  Reopen();
  EXPECT_TRUE(Downstream(H("source")).empty());
}

TEST_F(RegistryTest, CreateLinkChecksItsFields) {
  AddActor("acme");
  AddHolding("acme", "aaa");
  dsr::v1::CreateLinkRequest request;
  request.mutable_link()->set_child(H("aaa"));
  request.mutable_link()->set_parent(H("missing"));
  request.mutable_link()->set_relation(dsr::v1::Link::COPY);
  dsr::v1::Link link;
  EXPECT_CODE(registry_->CreateLink(admin_, request, &link), StatusCode::kNotFound);
  request.mutable_link()->set_child(H("missing"));
  request.mutable_link()->set_parent(H("aaa"));
  EXPECT_CODE(registry_->CreateLink(admin_, request, &link), StatusCode::kNotFound);
  request.mutable_link()->clear_relation();
  EXPECT_CODE(registry_->CreateLink(admin_, request, &link), StatusCode::kInvalidArgument);
  request.mutable_link()->set_relation(dsr::v1::Link::COPY);
  request.mutable_link()->set_child("aaa");
  EXPECT_CODE(registry_->CreateLink(admin_, request, &link), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, CreateLinkRetryWithRequestIdReturnsTheSameLink) {
  AddActor("acme");
  AddHolding("acme", "aaa");
  AddHolding("acme", "bbb");
  dsr::v1::CreateLinkRequest request;
  request.mutable_link()->set_child(H("bbb"));
  request.mutable_link()->set_parent(H("aaa"));
  request.mutable_link()->set_relation(dsr::v1::Link::SUBSET);
  request.set_request_id("link-once");
  dsr::v1::Link first, second;
  ASSERT_OK(registry_->CreateLink(admin_, request, &first));
  Reopen();
  ASSERT_OK(registry_->CreateLink(admin_, request, &second));
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(registry_->graph().link_count(), 1);
}

TEST_F(RegistryTest, LineageHonoursDepthAndDirection) {
  AddActor("acme");
  for (const char* id : {"up2", "up1", "root", "down1", "down2"}) AddHolding("acme", id);
  ASSERT_OK(Link(H("up1"), H("up2")));
  ASSERT_OK(Link(H("root"), H("up1")));
  ASSERT_OK(Link(H("down1"), H("root")));
  ASSERT_OK(Link(H("down2"), H("down1")));

  auto names = [&](dsr::v1::LineageDirection direction, int depth) {
    dsr::v1::GetLineageRequest request;
    request.set_holding(H("root"));
    request.set_direction(direction);
    request.set_max_depth(depth);
    dsr::v1::GetLineageResponse response;
    EXPECT_OK(registry_->GetLineage(request, &response));
    std::set<std::string> out;
    for (const auto& n : response.nodes()) out.insert(n.holding().substr(21));
    return out;
  };
  EXPECT_EQ(names(dsr::v1::DOWNSTREAM, 0), (std::set<std::string>{"root", "down1", "down2"}));
  EXPECT_EQ(names(dsr::v1::LINEAGE_DIRECTION_UNSPECIFIED, 1),
            (std::set<std::string>{"root", "down1"}));
  EXPECT_EQ(names(dsr::v1::UPSTREAM, 0), (std::set<std::string>{"root", "up1", "up2"}));
  EXPECT_EQ(names(dsr::v1::BOTH, 1), (std::set<std::string>{"up1", "root", "down1"}));

  dsr::v1::GetLineageRequest bad;
  bad.set_holding(H("root"));
  bad.set_max_depth(65);
  dsr::v1::GetLineageResponse response;
  EXPECT_CODE(registry_->GetLineage(bad, &response), StatusCode::kInvalidArgument);
  bad.set_max_depth(64);
  EXPECT_OK(registry_->GetLineage(bad, &response));
  bad.set_holding(H("nope"));
  EXPECT_CODE(registry_->GetLineage(bad, &response), StatusCode::kNotFound);
}

}  // namespace
}  // namespace dsr::broker
