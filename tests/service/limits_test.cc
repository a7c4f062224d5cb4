// Transport limits over a real connection: message size and inbox streams
// per actor, at the limit and one past it.

#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

constexpr int kMaxMessage = 64 << 10;

class LimitsTest : public BrokerFixture {
 protected:
  LimitsTest()
      : BrokerFixture([](broker::BrokerServerOptions& options) {
          options.connection.max_message_bytes = kMaxMessage;
          options.max_inbox_streams_per_actor = 2;
        }) {}
};

TEST_F(LimitsTest, MessagesAboveTheMaximumAreRefusedBeforeTheyReachTheBroker) {
  auto requests = dsr::v1::RequestService::NewStub(channel_);
  auto submit = [&](size_t details_bytes) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ERASURE);
    auto* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value("judy@example.com");
    request.mutable_request()->add_targets("actors/nobody/holdings/none");
    request.mutable_request()->set_details(std::string(details_bytes, 'd'));
    dsr::v1::SubmitRequestResponse response;
    return requests->SubmitRequest(Context().get(), request, &response);
  };
  // Just under the transport limit: the broker reads it and names the field.
  grpc::Status under = submit(kMaxMessage - 200);
  EXPECT_EQ(under.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(under.error_message().find("request.details"), std::string::npos);
  // Over it: refused by the transport.
  EXPECT_EQ(submit(kMaxMessage + 1).error_code(), StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(LimitsTest, AnActorMayHoldOnlySoManyInboxStreams) {
  const std::string token = CreateActor("acme");
  auto inbox = dsr::v1::InboxService::NewStub(channel_);
  auto first_context = Context(token);
  auto second_context = Context(token);
  auto first = inbox->StreamInbox(first_context.get(), {});
  auto second = inbox->StreamInbox(second_context.get(), {});
  // Both are open once their headers arrive.
  first->WaitForInitialMetadata();
  second->WaitForInitialMetadata();

  auto third_context = Context(token);
  auto third = inbox->StreamInbox(third_context.get(), {});
  dsr::v1::InboxEvent event;
  EXPECT_FALSE(third->Read(&event));
  EXPECT_EQ(third->Finish().error_code(), StatusCode::RESOURCE_EXHAUSTED);

  // Another actor is not affected; and closing one makes room again.
  auto other_context = Context(CreateActor("beta"));
  auto other = inbox->StreamInbox(other_context.get(), {});
  other->WaitForInitialMetadata();
  first_context->TryCancel();
  first->Finish();
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    auto again_context = Context(token);
    again_context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)));
    auto again = inbox->StreamInbox(again_context.get(), {});
    dsr::v1::InboxEvent none;
    again->Read(&none);
    // Refused at once while the old stream is still being torn down; once
    // room is made, it stays open until its deadline.
    reopened = again->Finish().error_code() == StatusCode::DEADLINE_EXCEEDED;
  }
  EXPECT_TRUE(reopened);
  second_context->TryCancel();
  second->Finish();
  other_context->TryCancel();
  other->Finish();
}

}  // namespace
}  // namespace dsr::testing
