// Rate limits over a real connection, with the fake clock: SubmitRequest per
// client address and per person, failed authentications per address.

#include "absl/time/clock.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/wait_for.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

// An erasure request for p{i}@example.com on `target`, sent with the
// x-forwarded-for header given (an anonymous caller).
grpc::Status SubmitAs(dsr::v1::RequestService::Stub& requests, const std::string& target,
                      const std::string& forwarded_for, int i) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  auto* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("p" + std::to_string(i) + "@example.com");
  request.mutable_request()->add_targets(target);
  dsr::v1::SubmitRequestResponse response;
  grpc::ClientContext context;
  context.AddMetadata("x-forwarded-for", forwarded_for);
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return requests.SubmitRequest(&context, request, &response);
}

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

// Behind a trusted proxy each client address has its own allowance; a
// client that is not a trusted proxy cannot pick its address by the header.
TEST_F(RateLimitsTest, TrustedProxiesNameTheClientOthersCannot) {
  auto submit_as = [&](const std::string& forwarded_for, int i) {
    return SubmitAs(*requests_, source_, forwarded_for, i);
  };
  // This fixture trusts no proxy: a new header each call changes nothing.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(submit_as("198.51.100." + std::to_string(i), i).ok()) << i;
  }
  EXPECT_EQ(submit_as("198.51.100.9", 4).error_code(), StatusCode::RESOURCE_EXHAUSTED);
}

class TrustedProxyTest : public BrokerFixture {
 protected:
  TrustedProxyTest()
      : BrokerFixture([](broker::BrokerServerOptions& options) {
          options.rate_limits.submits_per_address = {/*per_second=*/1, /*burst=*/1};
          options.rate_limits.trusted_proxies = {"127.0.0.1"};
        }) {}
};

TEST_F(TrustedProxyTest, EachForwardedClientHasItsOwnAllowance) {
  const std::string source = CreateHolding(CreateActor("acme"), "acme", "source");
  auto requests = dsr::v1::RequestService::NewStub(channel_);
  auto submit_as = [&](const std::string& forwarded_for, int i) {
    return SubmitAs(*requests, source, forwarded_for, i);
  };
  ASSERT_TRUE(submit_as("198.51.100.1", 0).ok());
  EXPECT_EQ(submit_as("198.51.100.1", 1).error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(submit_as("198.51.100.2", 2).ok());
  EXPECT_TRUE(submit_as("2001:db8::1", 3).ok());
  // Another address of the same IPv6 /64 is the same client.
  EXPECT_EQ(submit_as("2001:db8::2", 4).error_code(), StatusCode::RESOURCE_EXHAUSTED);
}

TEST(TrustedProxyOptionsTest, AProxyMustBeAnAddress) {
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = ::testing::TempDir();
  options.rate_limits.trusted_proxies = {"proxy.example"};
  absl::StatusOr<std::unique_ptr<broker::BrokerServer>> server =
      broker::BrokerServer::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.status().message(), "trusted_proxies: each must be an IP address");
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

namespace dsr::testing {
namespace {

// `n` GetActor calls with bad tokens in flight at once, over `registry`.
class Guesses {
 public:
  Guesses(dsr::v1::RegistryService::Stub& registry, int n) : replies_(n), statuses_(n) {
    dsr::v1::GetActorRequest get;
    get.set_name("actors/nobody");
    for (int i = 0; i < n; ++i) {
      contexts_.push_back(std::make_unique<grpc::ClientContext>());
      contexts_.back()->AddMetadata("authorization", "Bearer dsr_actor_guess" + std::to_string(i));
      contexts_.back()->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      auto call = registry.AsyncGetActor(contexts_.back().get(), get, &queue_);
      call->Finish(&replies_[i], &statuses_[i], reinterpret_cast<void*>(i + 1));
    }
  }
  // Waits until every guess is answered; their codes.
  std::vector<grpc::StatusCode> Answers() {
    for (size_t i = 0; i < statuses_.size(); ++i) {
      void* tag;
      bool ok;
      if (!queue_.Next(&tag, &ok)) break;
    }
    queue_.Shutdown();
    std::vector<grpc::StatusCode> codes;
    for (const grpc::Status& status : statuses_) codes.push_back(status.error_code());
    return codes;
  }

 private:
  grpc::CompletionQueue queue_;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts_;
  std::vector<dsr::v1::Actor> replies_;
  std::vector<grpc::Status> statuses_;
};

// Failed credentials waiting for their late answer do not take the places
// of honest calls: a guesser cannot fill --max_calls_in_flight with them.
class FailuresAndCallsInFlightTest : public BrokerFixture {
 protected:
  FailuresAndCallsInFlightTest()
      : BrokerFixture([](broker::BrokerServerOptions& options) {
          options.max_calls_in_flight = 3;
          options.rate_limits.failed_authentication_delay = absl::Seconds(2);
        }) {}
};

TEST_F(FailuresAndCallsInFlightTest, LateRefusalsLeaveRoomForGoodCalls) {
  Guesses guesses(*registry_, 3);
  // As many guesses as the broker serves calls at once, all waiting for
  // their late answer...
  ASSERT_TRUE(WaitFor([&] { return server_->late_refusals() >= 3; }));
  // ... and a good credential still gets in at once.
  dsr::v1::GetActorRequest get;
  get.set_name("actors/nobody");
  dsr::v1::Actor actor;
  const absl::Time start = absl::Now();
  EXPECT_EQ(registry_->GetActor(AdminContext().get(), get, &actor).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(guesses.Answers(), std::vector<StatusCode>(3, StatusCode::UNAUTHENTICATED));
}

}  // namespace
}  // namespace dsr::testing

namespace dsr::testing {
namespace {

// Failed authentications waiting for their late answer are bounded per
// address; past that, a call that presents a token is refused at once,
// before its token is looked at, so that an answer at once tells a guesser
// nothing. Callers without a token are not guessing and still pass.
class GuessesWaitingTest : public BrokerFixture {
 protected:
  GuessesWaitingTest()
      : BrokerFixture([](broker::BrokerServerOptions& options) {
          options.rate_limits.failed_authentication_delay = absl::Seconds(3);
        }) {}
};

TEST_F(GuessesWaitingTest, PastTheBoundAGuessIsRefusedBeforeItIsLookedAt) {
  constexpr int kWaiting = 100;  // the broker's bound per address
  Guesses guesses(*registry_, kWaiting);
  ASSERT_TRUE(WaitFor([&] { return server_->late_refusals() >= kWaiting; }));
  // Another connection (the first has all its streams in use).
  grpc::ChannelArguments args;
  args.SetInt("dsr.test.second_connection", 1);
  auto registry = dsr::v1::RegistryService::NewStub(
      grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args));
  dsr::v1::GetActorRequest get;
  get.set_name("actors/nobody");
  dsr::v1::Actor actor;
  const absl::Time start = absl::Now();
  grpc::Status guess = registry->GetActor(Context("dsr_actor_oneguessmore").get(), get, &actor);
  EXPECT_EQ(guess.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(guess.error_message(),
            "too many failed authentications from this address are waiting for their answer; "
            "retry in 3 s");
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  // Without a token: not a guess, served.
  dsr::v1::GetLineageRequest lineage;
  lineage.set_holding("actors/nobody/holdings/nothing");
  dsr::v1::GetLineageResponse walked;
  EXPECT_EQ(registry->GetLineage(Context().get(), lineage, &walked).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_EQ(guesses.Answers(), std::vector<StatusCode>(kWaiting, StatusCode::UNAUTHENTICATED));
}

}  // namespace
}  // namespace dsr::testing
