// StreamInbox and the task methods over a real gRPC connection.

#include <thread>

#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

class InboxServiceTest : public BrokerFixture {
 protected:
  void SetUp() override {
    acme_ = CreateActor("acme");
    beta_ = CreateActor("beta");
    source_ = CreateHolding(acme_, "acme", "source");
    copy_ = CreateHolding(beta_, "beta", "copy");
    // Declared by the admin: accepted at once, no link events in the inboxes.
    ASSERT_TRUE(CreateLink(kAdminToken, copy_, source_).ok());
    Connect();
  }
  void Connect() {
    requests_ = dsr::v1::RequestService::NewStub(channel_);
    inbox_ = dsr::v1::InboxService::NewStub(channel_);
  }
  void SubmitErasure() {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ERASURE);
    auto* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value("dana@example.net");
    request.mutable_request()->add_targets(source_);
    dsr::v1::SubmitRequestResponse response;
    ASSERT_TRUE(requests_->SubmitRequest(Context().get(), request, &response).ok());
  }

  std::string acme_, beta_, source_, copy_;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox_;
};

TEST_F(InboxServiceTest, BacklogThenLiveEventsInOneStreamWithoutGaps) {
  SubmitErasure();
  SubmitErasure();
  auto context = Context(beta_);
  dsr::v1::StreamInboxRequest from_start;
  auto stream = inbox_->StreamInbox(context.get(), from_start);
  dsr::v1::InboxEvent event;
  for (uint64_t expected = 1; expected <= 2; ++expected) {
    ASSERT_TRUE(stream->Read(&event));
    EXPECT_EQ(event.sequence(), expected);
    EXPECT_EQ(event.kind(), dsr::v1::InboxEvent::TASK_CREATED);
    EXPECT_EQ(event.task().holding(), copy_);
    EXPECT_EQ(event.task().subject_identifiers(0).value(), "dana@example.net");
  }
  // Live: submitted while the stream waits.
  std::thread later([this] {
    absl::SleepFor(absl::Milliseconds(100));
    SubmitErasure();
    SubmitErasure();
  });
  for (uint64_t expected = 3; expected <= 4; ++expected) {
    ASSERT_TRUE(stream->Read(&event));
    EXPECT_EQ(event.sequence(), expected);
    EXPECT_EQ(event.task().actor(), "actors/beta");
  }
  later.join();
  context->TryCancel();
  stream->Finish();
}

// A stream is authenticated on the broker's read pool: a client that cancels
// while its stream opens must leave nothing behind that the opening still
// touches (the call's context, a finished writer).
TEST_F(InboxServiceTest, StreamsCancelledAsTheyOpenLeaveTheBrokerServing) {
  for (int i = 0; i < 300; ++i) {
    auto context = Context(beta_);
    auto stream = inbox_->StreamInbox(context.get(), dsr::v1::StreamInboxRequest());
    context->TryCancel();
    stream->Finish().IgnoreError();
  }
  // Still serving streams, with every cancelled one gone.
  SubmitErasure();
  auto context = Context(beta_);
  auto stream = inbox_->StreamInbox(context.get(), dsr::v1::StreamInboxRequest());
  dsr::v1::InboxEvent event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.sequence(), 1u);
  context->TryCancel();
  stream->Finish().IgnoreError();
}

TEST_F(InboxServiceTest, RotatingTheTokenEndsTheStreamsOpenedWithTheOldOne) {
  auto context = Context(beta_);
  auto stream = inbox_->StreamInbox(context.get(), {});
  // The stream is open (its initial metadata came back) before the rotation.
  stream->WaitForInitialMetadata();
  dsr::v1::RotateActorTokenRequest rotate;
  rotate.set_name("actors/beta");
  dsr::v1::RotateActorTokenResponse rotated;
  ASSERT_TRUE(registry_->RotateActorToken(AdminContext().get(), rotate, &rotated).ok());
  SubmitErasure();  // a task for beta, with identifiers: it must not reach the old stream
  dsr::v1::InboxEvent event;
  EXPECT_FALSE(stream->Read(&event));
  grpc::Status ended = stream->Finish();
  EXPECT_EQ(ended.error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_NE(ended.error_message().find("rotated"), std::string::npos);
  // The new token opens a new stream, which gets the task.
  auto renewed = Context(rotated.token());
  auto again = inbox_->StreamInbox(renewed.get(), {});
  ASSERT_TRUE(again->Read(&event));
  EXPECT_EQ(event.task().holding(), copy_);
  renewed->TryCancel();
  again->Finish();
}

TEST_F(InboxServiceTest, ResumesFromTheCommittedCursorAfterARestart) {
  for (int i = 0; i < 3; ++i) SubmitErasure();
  dsr::v1::CommitInboxRequest commit;
  commit.set_sequence(2);
  dsr::v1::CommitInboxResponse committed;
  ASSERT_TRUE(inbox_->CommitInbox(Context(acme_).get(), commit, &committed).ok());
  EXPECT_EQ(committed.last_sequence(), 3u);

  Restart();
  Connect();
  SubmitErasure();  // event 4, while no stream is open
  auto context = Context(acme_);
  dsr::v1::StreamInboxRequest resume;
  resume.set_from_committed_cursor(true);
  auto stream = inbox_->StreamInbox(context.get(), resume);
  dsr::v1::InboxEvent event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.sequence(), 3u);
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.sequence(), 4u);
  context->TryCancel();
  stream->Finish();
}

TEST_F(InboxServiceTest, ActorsNeverSeeEachOthersEvents) {
  SubmitErasure();
  const std::string acme_only = CreateHolding(acme_, "acme", "private");
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ACCESS);
  auto* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::NAME);
  id->set_value("Erin Example");
  request.mutable_request()->add_targets(acme_only);
  dsr::v1::SubmitRequestResponse response;
  ASSERT_TRUE(requests_->SubmitRequest(Context().get(), request, &response).ok());

  auto context = Context(beta_);
  auto stream = inbox_->StreamInbox(context.get(), {});
  dsr::v1::InboxEvent event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.task().holding(), copy_);
  // Nothing else arrives for beta: the deadline ends the wait.
  auto short_context = Context(beta_);
  short_context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(300)));
  dsr::v1::StreamInboxRequest after;
  after.set_after_sequence(1);
  auto quiet = inbox_->StreamInbox(short_context.get(), after);
  EXPECT_FALSE(quiet->Read(&event));
  EXPECT_EQ(quiet->Finish().error_code(), StatusCode::DEADLINE_EXCEEDED);
  context->TryCancel();
  stream->Finish();

  // Streams are for actors only.
  auto anonymous = Context();
  auto refused = inbox_->StreamInbox(anonymous.get(), {});
  EXPECT_FALSE(refused->Read(&event));
  EXPECT_EQ(refused->Finish().error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(InboxServiceTest, ShutdownEndsStreamsWithUnavailable) {
  auto context = Context(beta_);
  auto stream = inbox_->StreamInbox(context.get(), {});
  SubmitErasure();
  dsr::v1::InboxEvent event;
  ASSERT_TRUE(stream->Read(&event));
  std::thread stopper([this] { server_->Shutdown(absl::Seconds(5)); });
  EXPECT_FALSE(stream->Read(&event));
  EXPECT_EQ(stream->Finish().error_code(), StatusCode::UNAVAILABLE);
  stopper.join();
}

TEST_F(InboxServiceTest, TaskMethodsOverTheWire) {
  SubmitErasure();
  dsr::v1::ListTasksResponse listed;
  ASSERT_TRUE(inbox_->ListTasks(Context(beta_).get(), {}, &listed).ok());
  ASSERT_EQ(listed.tasks_size(), 1);
  dsr::v1::CompleteTaskRequest complete;
  complete.set_name(listed.tasks(0).name());
  complete.set_outcome(dsr::v1::EXCLUDED_FROM_TRAINING);
  dsr::v1::Task task;
  EXPECT_EQ(inbox_->CompleteTask(Context(acme_).get(), complete, &task).error_code(),
            StatusCode::NOT_FOUND);
  ASSERT_TRUE(inbox_->CompleteTask(Context(beta_).get(), complete, &task).ok());
  EXPECT_EQ(task.state(), dsr::v1::Task::COMPLETED);
  EXPECT_EQ(inbox_->CompleteTask(Context(beta_).get(), complete, &task).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace dsr::testing
