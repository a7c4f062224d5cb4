#include "broker/access/authenticator.h"
#include "broker/base/tokens.h"
#include "storage/keys.h"
#include "tests/broker/registry_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

dsr::v1::CreateActorRequest ActorRequest(const std::string& id) {
  dsr::v1::CreateActorRequest request;
  request.set_actor_id(id);
  dsr::v1::Actor actor;
  actor.set_display_name("Acme Research");
  actor.add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  actor.set_contact_email("  DPO@Acme.Example ");
  *request.mutable_actor() = actor;
  return request;
}

TEST_F(RegistryTest, CreateActorReturnsTokenOnceAndStoresOnlyItsDigest) {
  dsr::v1::CreateActorResponse created;
  ASSERT_OK(registry_->CreateActor(admin_, ActorRequest("acme"), &created));
  EXPECT_EQ(created.actor().name(), "actors/acme");
  EXPECT_EQ(created.actor().contact_email(), "dpo@acme.example");
  EXPECT_EQ(absl::FromUnixSeconds(created.actor().create_time().seconds()), clock_.Now());
  EXPECT_FALSE(created.token().empty());

  dsr::storage::v1::ActorRecord record;
  ASSERT_OK(store_->Get(storage::ColumnFamily::kActors, storage::keys::Actor("acme"), &record));
  EXPECT_EQ(record.token_digest(), Sha256(created.token()));

  dsr::v1::GetActorRequest get;
  get.set_name("actors/acme");
  dsr::v1::Actor actor;
  ASSERT_OK(registry_->GetActor(get, &actor));
  EXPECT_EQ(actor.display_name(), "Acme Research");
}

TEST_F(RegistryTest, CreateActorIsAdminOnly) {
  dsr::v1::CreateActorResponse response;
  AddActor("acme");
  EXPECT_CODE(registry_->CreateActor(Principal::Actor("acme"), ActorRequest("beta"), &response),
              StatusCode::kPermissionDenied);
  EXPECT_CODE(registry_->CreateActor(Principal::Anonymous(), ActorRequest("beta"), &response),
              StatusCode::kUnauthenticated);
}

TEST_F(RegistryTest, CreateActorValidatesFieldsAndNamesThem) {
  dsr::v1::CreateActorResponse response;
  struct Case {
    std::function<void(dsr::v1::CreateActorRequest&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.set_actor_id("Bad_Id"); }, "actor_id"},
      {[](auto& r) { r.mutable_actor()->clear_display_name(); }, "actor.display_name"},
      {[](auto& r) { r.mutable_actor()->clear_roles(); }, "actor.roles"},
      {[](auto& r) { r.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER); },
       "actor.roles"},
      {[](auto& r) { r.mutable_actor()->set_contact_email("secret-person-at-nowhere"); },
       "actor.contact_email"},
      {[](auto& r) { r.set_request_id("has space"); }, "request_id"},
  };
  for (const Case& c : cases) {
    dsr::v1::CreateActorRequest request = ActorRequest("acme");
    c.mutate(request);
    absl::Status status = registry_->CreateActor(admin_, request, &response);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(status.message().find(c.field), absl::string_view::npos) << status;
    EXPECT_EQ(status.message().find("secret-person"), absl::string_view::npos) << status;
  }
}

TEST_F(RegistryTest, DuplicateActorIsAlreadyExists) {
  AddActor("acme");
  dsr::v1::CreateActorResponse response;
  EXPECT_CODE(registry_->CreateActor(admin_, ActorRequest("acme"), &response),
              StatusCode::kAlreadyExists);
}

TEST_F(RegistryTest, CreateActorRetryWithRequestIdReturnsFirstResultWithoutToken) {
  dsr::v1::CreateActorRequest request = ActorRequest("acme");
  request.set_request_id("7f1c2a9e-retry");
  dsr::v1::CreateActorResponse first, second;
  ASSERT_OK(registry_->CreateActor(admin_, request, &first));
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK(registry_->CreateActor(admin_, request, &second));
  EXPECT_EQ(second.actor().SerializeAsString(), first.actor().SerializeAsString());
  EXPECT_TRUE(second.token().empty());
  // The first token still works: the retry changed nothing.
  Authenticator auth(store_, Sha256("admin"));
  ASSERT_OK_AND_ASSIGN(Principal principal, auth.Authenticate(first.token()));
  EXPECT_TRUE(principal.IsActor("acme"));

  request.mutable_actor()->set_display_name("Someone else");
  EXPECT_CODE(registry_->CreateActor(admin_, request, &second), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, RotateTokenRevokesTheOldOne) {
  const std::string old_token = AddActor("acme");
  Authenticator auth(store_, Sha256("admin"));
  ASSERT_OK(auth.Authenticate(old_token));

  dsr::v1::RotateActorTokenRequest request;
  request.set_name("actors/acme");
  dsr::v1::RotateActorTokenResponse response;
  EXPECT_CODE(registry_->RotateActorToken(Principal::Actor("acme"), request, &response),
              StatusCode::kPermissionDenied);
  ASSERT_OK(registry_->RotateActorToken(admin_, request, &response));
  EXPECT_NE(response.token(), old_token);
  EXPECT_CODE(auth.Authenticate(old_token), StatusCode::kUnauthenticated);
  ASSERT_OK_AND_ASSIGN(Principal principal, auth.Authenticate(response.token()));
  EXPECT_TRUE(principal.IsActor("acme"));

  request.set_name("actors/nobody");
  EXPECT_CODE(registry_->RotateActorToken(admin_, request, &response), StatusCode::kNotFound);
}

TEST_F(RegistryTest, RotateRetryKeepsTheFirstNewTokenValid) {
  AddActor("acme");
  Authenticator auth(store_, Sha256("admin"));
  dsr::v1::RotateActorTokenRequest request;
  request.set_name("actors/acme");
  request.set_request_id("rotate-1");
  dsr::v1::RotateActorTokenResponse first, retry;
  ASSERT_OK(registry_->RotateActorToken(admin_, request, &first));
  ASSERT_OK(registry_->RotateActorToken(admin_, request, &retry));
  EXPECT_TRUE(retry.token().empty());
  ASSERT_OK_AND_ASSIGN(Principal principal, auth.Authenticate(first.token()));
  EXPECT_TRUE(principal.IsActor("acme"));
}

TEST_F(RegistryTest, ListActorsPagesWithOpaqueTokens) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back("actor-" + std::to_string(i));
    AddActor(ids.back());
  }
  std::vector<std::string> listed;
  dsr::v1::ListActorsRequest request;
  request.set_page_size(3);
  int pages = 0;
  do {
    dsr::v1::ListActorsResponse response;
    ASSERT_OK(registry_->ListActors(request, &response));
    EXPECT_LE(response.actors_size(), 3);
    for (const auto& a : response.actors()) listed.push_back(a.name().substr(7));
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty());
  EXPECT_EQ(listed, ids);
  EXPECT_EQ(pages, 3);

  dsr::v1::ListActorsResponse response;
  request.set_page_token("not-a-token");
  EXPECT_CODE(registry_->ListActors(request, &response), StatusCode::kInvalidArgument);
  request.set_page_token("");
  request.set_page_size(1001);
  EXPECT_CODE(registry_->ListActors(request, &response), StatusCode::kInvalidArgument);
  request.set_page_size(-1);
  EXPECT_CODE(registry_->ListActors(request, &response), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, ActorsSurviveReopen) {
  const std::string token = AddActor("acme");
  Reopen();
  dsr::v1::GetActorRequest get;
  get.set_name("actors/acme");
  dsr::v1::Actor actor;
  ASSERT_OK(registry_->GetActor(get, &actor));
  Authenticator auth(store_, Sha256("admin"));
  ASSERT_OK(auth.Authenticate(token));
  get.set_name("actors/missing");
  EXPECT_CODE(registry_->GetActor(get, &actor), StatusCode::kNotFound);
}

}  // namespace
}  // namespace dsr::broker
