// Rate limits over a real connection, with the fake clock: SubmitRequest per
// client address and per person, failed authentications per address.

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

TEST_F(RateLimitsTest, FailedAuthenticationsPerAddress) {
  dsr::v1::GetActorRequest get;
  get.set_name("actors/acme");
  dsr::v1::Actor actor;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(registry_->GetActor(Context("dsr_actor_guess" + std::to_string(i)).get(), get, &actor)
                  .error_code(),
              StatusCode::UNAUTHENTICATED);
  }
  // Past the limit even a good token waits: guessing stops being cheap.
  grpc::Status refused = registry_->GetActor(AdminContext().get(), get, &actor);
  EXPECT_EQ(refused.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "too many failed authentications from this address; retry in 5 s");
  // Calls without a credential are not affected.
  EXPECT_TRUE(registry_->GetActor(Context().get(), get, &actor).ok());
  clock_.Advance(absl::Seconds(5));
  EXPECT_TRUE(registry_->GetActor(AdminContext().get(), get, &actor).ok());
}

}  // namespace
}  // namespace dsr::testing
