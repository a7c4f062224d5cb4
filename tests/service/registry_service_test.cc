// RegistryService over a real gRPC connection to an in-process broker.

#include <atomic>
#include <set>
#include <thread>

#include "dsr/v1/audit_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

class RegistryServiceTest : public BrokerFixture {};

TEST_F(RegistryServiceTest, HealthIsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health->Check(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(RegistryServiceTest, EveryMethodWorksOverTheWire) {
  // CreateActor, GetActor, ListActors, RotateActorToken.
  const std::string old_token = CreateActor("acme");
  dsr::v1::RotateActorTokenRequest rotate;
  rotate.set_name("actors/acme");
  dsr::v1::RotateActorTokenResponse rotated;
  ASSERT_TRUE(registry_->RotateActorToken(AdminContext().get(), rotate, &rotated).ok());
  const std::string token = rotated.token();
  dsr::v1::GetActorRequest get_actor;
  get_actor.set_name("actors/acme");
  dsr::v1::Actor actor;
  ASSERT_TRUE(registry_->GetActor(Context().get(), get_actor, &actor).ok());
  EXPECT_EQ(actor.contact_email(), "privacy@acme.example");
  dsr::v1::ListActorsResponse actors;
  ASSERT_TRUE(registry_->ListActors(Context().get(), dsr::v1::ListActorsRequest(), &actors).ok());
  ASSERT_EQ(actors.actors_size(), 1);

  // CreateHolding, GetHolding, ListHoldings, UpdateHolding, RetireHolding.
  const std::string source = CreateHolding(token, "acme", "source");
  const std::string subset = CreateHolding(token, "acme", "subset");
  EXPECT_FALSE(source.empty());
  dsr::v1::UpdateHoldingRequest update;
  update.mutable_holding()->set_name(source);
  update.mutable_holding()->add_external_ids("hf:acme/source");
  update.mutable_update_mask()->add_paths("external_ids");
  dsr::v1::Holding holding;
  ASSERT_TRUE(registry_->UpdateHolding(Context(token).get(), update, &holding).ok());
  dsr::v1::ListHoldingsRequest list;
  list.set_parent("actors/-");
  list.set_external_id("hf:acme/source");
  dsr::v1::ListHoldingsResponse listed;
  ASSERT_TRUE(registry_->ListHoldings(Context().get(), list, &listed).ok());
  ASSERT_EQ(listed.holdings_size(), 1);
  EXPECT_EQ(listed.holdings(0).name(), source);

  // CreateLink, GetLineage, DeleteLink.
  dsr::v1::Link link;
  ASSERT_TRUE(CreateLink(token, subset, source, &link).ok());
  dsr::v1::GetLineageRequest lineage;
  lineage.set_holding(source);
  dsr::v1::GetLineageResponse reached;
  ASSERT_TRUE(registry_->GetLineage(Context().get(), lineage, &reached).ok());
  ASSERT_EQ(reached.nodes_size(), 2);
  EXPECT_EQ(reached.nodes(1).holding(), subset);
  ASSERT_EQ(reached.edges_size(), 1);
  EXPECT_EQ(reached.edges(0).link(), link.name());

  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(subset);
  ASSERT_TRUE(registry_->RetireHolding(Context(token).get(), retire, &holding).ok());
  EXPECT_EQ(holding.state(), dsr::v1::Holding::RETIRED);
  dsr::v1::GetHoldingRequest get_holding;
  get_holding.set_name(subset);
  ASSERT_TRUE(registry_->GetHolding(Context().get(), get_holding, &holding).ok());
  EXPECT_EQ(holding.state(), dsr::v1::Holding::RETIRED);

  dsr::v1::DeleteLinkRequest del;
  del.set_name(link.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(registry_->DeleteLink(Context(token).get(), del, &empty).ok());
  ASSERT_TRUE(registry_->GetLineage(Context().get(), lineage, &reached).ok());
  EXPECT_EQ(reached.nodes_size(), 1);

  // The rotated-away token no longer works, even for a read.
  EXPECT_EQ(registry_->GetActor(Context(old_token).get(), get_actor, &actor).error_code(),
            StatusCode::UNAUTHENTICATED);
}

TEST_F(RegistryServiceTest, AuditServiceListsAndVerifiesOverTheWire) {
  const std::string token = CreateActor("acme");
  CreateHolding(token, "acme", "aaa");
  auto audit = dsr::v1::AuditService::NewStub(channel_);
  dsr::v1::ListAuditEventsResponse listed;
  ASSERT_TRUE(audit->ListAuditEvents(AdminContext().get(), {}, &listed).ok());
  ASSERT_EQ(listed.events_size(), 2);
  EXPECT_EQ(listed.events(1).principal(), "actors/acme");
  dsr::v1::VerifyAuditLogResponse verified;
  ASSERT_TRUE(audit->VerifyAuditLog(AdminContext().get(), {}, &verified).ok());
  EXPECT_TRUE(verified.intact());
  EXPECT_EQ(verified.event_count(), 2u);
  EXPECT_EQ(audit->VerifyAuditLog(Context(token).get(), {}, &verified).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(RegistryServiceTest, StatusCodesReachTheClient) {
  const std::string acme = CreateActor("acme");
  const std::string beta = CreateActor("beta");
  const std::string a = CreateHolding(acme, "acme", "aaa");
  const std::string b = CreateHolding(acme, "acme", "bbb");
  ASSERT_TRUE(CreateLink(acme, b, a).ok());

  dsr::v1::CreateActorRequest create;
  create.set_actor_id("gamma");
  create.mutable_actor()->set_display_name("Gamma");
  create.mutable_actor()->add_roles(dsr::v1::Actor::MODEL_DEVELOPER);
  create.mutable_actor()->set_contact_email("dpo@gamma.example");
  dsr::v1::CreateActorResponse created;
  EXPECT_EQ(registry_->CreateActor(Context().get(), create, &created).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(registry_->CreateActor(Context(acme).get(), create, &created).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      registry_->CreateActor(Context("dsr_actor_forged").get(), create, &created).error_code(),
      StatusCode::UNAUTHENTICATED);
  grpc::ClientContext malformed;
  malformed.AddMetadata("authorization", "Token abc");
  EXPECT_EQ(registry_->CreateActor(&malformed, create, &created).error_code(),
            StatusCode::UNAUTHENTICATED);
  create.set_actor_id("acme");
  EXPECT_EQ(registry_->CreateActor(AdminContext().get(), create, &created).error_code(),
            StatusCode::ALREADY_EXISTS);
  create.set_actor_id("x");
  grpc::Status invalid = registry_->CreateActor(AdminContext().get(), create, &created);
  EXPECT_EQ(invalid.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(invalid.error_message().find("actor_id"), std::string::npos);

  EXPECT_EQ(CreateLink(beta, b, a).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateLink(acme, a, b).error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(CreateLink(acme, b, a).error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CreateLink(acme, a, "actors/acme/holdings/zzz").error_code(), StatusCode::NOT_FOUND);
}

TEST_F(RegistryServiceTest, ShutdownFinishesCallsInFlightAndRefusesNewOnes) {
  const std::string token = CreateActor("acme");
  clock_.Hold();
  grpc::Status in_flight;
  std::thread writer([&] {
    dsr::v1::CreateHoldingRequest request;
    request.set_parent("actors/acme");
    request.set_holding_id("slow");
    request.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
    request.mutable_holding()->set_title("Slow");
    dsr::v1::Holding holding;
    in_flight = registry_->CreateHolding(Context(token).get(), request, &holding);
  });
  clock_.AwaitHeldCaller();  // the write is inside the registry now
  std::thread stopper([&] { server_->Shutdown(absl::Seconds(30)); });

  // Once draining, new calls are refused at once while the held one runs on.
  grpc::Status refused;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  do {
    dsr::v1::Actor actor;
    dsr::v1::GetActorRequest get;
    get.set_name("actors/acme");
    refused = registry_->GetActor(Context().get(), get, &actor);
  } while (refused.ok() && absl::Now() < give_up);
  EXPECT_EQ(refused.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_NE(refused.error_message().find("shutting down"), std::string::npos);

  clock_.Release();
  writer.join();
  stopper.join();
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  Restart();
  dsr::v1::GetHoldingRequest get;
  get.set_name("actors/acme/holdings/slow");
  dsr::v1::Holding holding;
  EXPECT_TRUE(registry_->GetHolding(Context().get(), get, &holding).ok());
}

TEST_F(RegistryServiceTest, ConcurrentWritersAllLandAndSurviveRestart) {
  const std::string token = CreateActor("acme");
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        dsr::v1::CreateHoldingRequest request;
        request.set_parent("actors/acme");
        request.set_holding_id("t" + std::to_string(t) + "-h" + std::to_string(i));
        request.mutable_holding()->set_kind(dsr::v1::Holding::MODEL);
        request.mutable_holding()->set_title("Model");
        dsr::v1::Holding holding;
        if (!registry_->CreateHolding(Context(token).get(), request, &holding).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);

  Restart();
  std::set<std::string> names;
  dsr::v1::ListHoldingsRequest list;
  list.set_parent("actors/acme");
  list.set_page_size(64);
  do {
    dsr::v1::ListHoldingsResponse page;
    ASSERT_TRUE(registry_->ListHoldings(Context().get(), list, &page).ok());
    for (const auto& h : page.holdings()) names.insert(h.name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(names.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace dsr::testing
