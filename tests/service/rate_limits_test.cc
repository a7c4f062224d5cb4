// Rate limits over a real connection, with the fake clock: SubmitRequest per
// client address and per person, failed authentications per address.

#include "absl/time/clock.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

class RateLimitsTest : public BrokerFixture {
 protected:
  RateLimitsTest()
      : BrokerFixture([](broker::BrokerServerOptions& options) {
          options.rate_limits.submits_per_address = {/*per_second=*/1, /*burst=*/4};
          options.rate_limits.submits_per_subject = {/*per_second=*/1.0 / 60, /*burst=*/2};
          options.rate_limits.failed_authentications_per_address = {0.2, 3};
        }) {}
  void SetUp() override {
    source_ = CreateHolding(CreateActor("acme"), "acme", "source");
    requests_ = dsr::v1::RequestService::NewStub(channel_);
  }
  grpc::Status Submit(const std::string& email) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ERASURE);
    auto* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value(email);
    request.mutable_request()->add_targets(source_);
    dsr::v1::SubmitRequestResponse response;
    return requests_->SubmitRequest(Context().get(), request, &response);
  }
  std::string source_;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
};

TEST_F(RateLimitsTest, SubmitsPerAddress) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Submit("p" + std::to_string(i) + "@example.com").ok()) << i;
  }
  grpc::Status refused = Submit("p4@example.com");
  EXPECT_EQ(refused.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(), "too many requests; retry in 1 s");
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Submit("p4@example.com").ok());
}

TEST_F(RateLimitsTest, SubmitsPerPersonWhateverTheSpelling) {
  ASSERT_TRUE(Submit("judy@example.com").ok());
  ASSERT_TRUE(Submit("Judy@Example.com").ok());
  grpc::Status refused = Submit("  JUDY@EXAMPLE.COM ");
  EXPECT_EQ(refused.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(), "too many requests; retry in 60 s");
  EXPECT_EQ(refused.error_message().find("judy"), std::string::npos);
  EXPECT_TRUE(Submit("someone.else@example.com").ok());
  clock_.Advance(absl::Seconds(60));
  EXPECT_TRUE(Submit("judy@example.com").ok());
}

TEST_F(RateLimitsTest, FailedAuthenticationsPerAddressNeverLockOutAGoodToken) {
  dsr::v1::GetActorRequest get;
  get.set_name("actors/acme");
  dsr::v1::Actor actor;
  const auto guess = [&](int i) {
    return registry_->GetActor(Context("dsr_actor_guess" + std::to_string(i)).get(), get, &actor);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(guess(i).error_code(), StatusCode::UNAUTHENTICATED);
  // Past the allowance, guesses are refused as such...
  grpc::Status refused = guess(3);
  EXPECT_EQ(refused.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "too many failed authentications from this address; retry in 5 s");
  // ... while a good token from the same address (a colleague behind the
  // same NAT, say) still works, and so do calls without a credential.
  EXPECT_TRUE(registry_->GetActor(AdminContext().get(), get, &actor).ok());
  EXPECT_TRUE(registry_->GetActor(Context().get(), get, &actor).ok());
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(guess(4).error_code(), StatusCode::UNAUTHENTICATED);
}

class FailedAuthenticationDelayTest : public BrokerFixture {
 protected:
  FailedAuthenticationDelayTest()
      : BrokerFixture([](broker::BrokerServerOptions& options) {
          options.rate_limits.failed_authentication_delay = absl::Milliseconds(400);
        }) {}
};

TEST_F(FailedAuthenticationDelayTest, AFailedCredentialIsAnsweredLateAGoodOneAtOnce) {
  dsr::v1::GetActorRequest get;
  get.set_name("actors/nobody");
  dsr::v1::Actor actor;
  absl::Time start = absl::Now();
  EXPECT_EQ(registry_->GetActor(Context("dsr_actor_wrong").get(), get, &actor).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(400));
  start = absl::Now();
  EXPECT_EQ(registry_->GetActor(AdminContext().get(), get, &actor).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(400));
  // Inbox streams too.
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox = dsr::v1::InboxService::NewStub(channel_);
  auto context = Context("dsr_actor_wrong");
  start = absl::Now();
  auto stream = inbox->StreamInbox(context.get(), {});
  dsr::v1::InboxEvent event;
  EXPECT_FALSE(stream->Read(&event));
  EXPECT_EQ(stream->Finish().error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(400));
}

}  // namespace
}  // namespace dsr::testing
