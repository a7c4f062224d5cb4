// The whole broker on a file system that simulates power loss: clients
// submit requests and acknowledge tasks concurrently, power is lost at a
// random moment, and after the restart every answer a client got is still
// true, the audit chain is whole and the inbox has no gap.

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "storage/rocksdb_store.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/durability_checks.h"
#include "tests/support/power_loss_fs.h"

namespace dsr::testing {
namespace {

int Rounds() {
  int rounds = 3;
  const char* env = std::getenv("DSR_POWER_LOSS_ROUNDS");
  if (env != nullptr && !absl::SimpleAtoi(env, &rounds)) rounds = 3;
  return rounds;
}

// Made before the broker (a base class initialised first), which opens its
// store on it.
struct PowerLossDisk {
  std::shared_ptr<PowerLossFileSystem> fs = std::make_shared<PowerLossFileSystem>();
};

class PowerLossServiceTest : private PowerLossDisk, public BrokerFixture {
 protected:
  PowerLossServiceTest()
      : BrokerFixture([fs = fs](broker::BrokerServerOptions& options) {
          options.configure_store = [fs](storage::StoreOptions& store) {
            store.env = PowerLossFileSystem::EnvOver(fs);
          };
        }) {}

  // What clients were told.
  struct Submitted {
    std::string request, receipt, task;
  };

  std::shared_ptr<PowerLossFileSystem> disk() { return fs; }
};

TEST_F(PowerLossServiceTest, EverythingAcknowledgedSurvivesPowerLoss) {
  const std::string token = CreateActor("acme");
  const std::string holding = CreateHolding(token, "acme", "data");
  std::mt19937 random(20261130);
  absl::Mutex mu;
  std::vector<Submitted> submitted;       // acknowledged submits
  std::vector<std::string> acknowledged;  // tasks whose AcknowledgeTask succeeded
  int64_t person = 0;
  // Set just before the power goes: answers after it may rest on syncs the
  // simulation only pretended, so they do not count.
  bool lost = false;

  // Inbox events the holder was sent, by sequence: a power loss must not
  // take one back (and give its number to another event).
  std::map<uint64_t, std::string> streamed;

  for (int round = 0; round < Rounds(); ++round) {
    auto requests = dsr::v1::RequestService::NewStub(channel_);
    auto inbox = dsr::v1::InboxService::NewStub(channel_);
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    // The holder streams its inbox all along, from the start.
    grpc::ClientContext listening;
    listening.AddMetadata("authorization", "Bearer " + token);
    std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> listener =
        inbox->StreamInbox(&listening, dsr::v1::StreamInboxRequest());
    std::thread holder([&] {
      dsr::v1::InboxEvent event;
      while (listener->Read(&event)) {
        absl::MutexLock lock(&mu);
        if (!lost) streamed.emplace(event.sequence(), event.task().name());
      }
    });
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; !stop.load(); ++i) {
          if (c == 0 && i % 2 == 1) {
            // Acknowledge a task acknowledged to its submitter earlier.
            std::string task;
            {
              absl::MutexLock lock(&mu);
              if (submitted.empty()) continue;
              task = submitted[i % submitted.size()].task;
            }
            dsr::v1::AcknowledgeTaskRequest ack;
            ack.set_name(task);
            dsr::v1::Task answer;
            grpc::Status s = inbox->AcknowledgeTask(Context(token).get(), ack, &answer);
            if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) continue;  // done before
            if (!s.ok()) return;
            absl::MutexLock lock(&mu);
            if (!lost) acknowledged.push_back(task);
            continue;
          }
          dsr::v1::SubmitRequestRequest erasure;
          erasure.mutable_request()->set_type(dsr::v1::ERASURE);
          auto* id = erasure.mutable_request()->add_subject_identifiers();
          id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
          {
            absl::MutexLock lock(&mu);
            id->set_value(absl::StrCat("person", ++person, "@example.com"));
          }
          erasure.mutable_request()->add_targets(holding);
          dsr::v1::SubmitRequestResponse response;
          if (!requests->SubmitRequest(Context().get(), erasure, &response).ok()) return;
          absl::MutexLock lock(&mu);
          if (lost) return;
          submitted.push_back(
              {response.request().name(), response.receipt_token(), response.tasks(0).name()});
        }
      });
    }
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(30, 150)(random)));
    {
      absl::MutexLock lock(&mu);
      lost = true;
    }
    disk()->Crash();
    stop = true;
    for (std::thread& t : clients) t.join();
    listening.TryCancel();
    holder.join();
    listener->Finish().ok();
    requests.reset();
    inbox.reset();
    Restart([this] { disk()->Restart(); });

    // Every answer still holds.
    requests = dsr::v1::RequestService::NewStub(channel_);
    inbox = dsr::v1::InboxService::NewStub(channel_);
    absl::MutexLock lock(&mu);
    lost = false;
    for (const Submitted& s : submitted) {
      ASSERT_TRUE(RequestIsThere(*requests, s.request, s.receipt)) << "round " << round;
    }
    for (const std::string& name : acknowledged) {
      dsr::v1::GetTaskRequest get;
      get.set_name(name);
      dsr::v1::Task task;
      ASSERT_TRUE(inbox->GetTask(Context(token).get(), get, &task).ok());
      EXPECT_EQ(task.state(), dsr::v1::Task::ACKNOWLEDGED) << "round " << round << ": " << name;
    }
    auto audit = dsr::v1::AuditService::NewStub(channel_);
    uint64_t events = 0;
    ASSERT_TRUE(AuditChainIsIntact(*audit, kAdminToken, &events)) << "round " << round;
    // The inbox: every sequence from 1 to the last, once, in order, and the
    // events sent before the power loss unchanged.
    uint64_t last = 0;
    ASSERT_TRUE(InboxIsGapFree(*inbox, token, 0, &last,
                               [&](const dsr::v1::InboxEvent& event) {
                                 auto sent = streamed.find(event.sequence());
                                 if (sent != streamed.end()) {
                                   EXPECT_EQ(event.task().name(), sent->second)
                                       << "round " << round << ": event " << event.sequence()
                                       << " was sent before the power loss and is another one now";
                                 }
                               }))
        << "round " << round;
    // One TASK_CREATED event per acknowledged request, at least.
    EXPECT_GE(last, submitted.size());
    EXPECT_GE(last, streamed.empty() ? 0 : streamed.rbegin()->first)
        << "round " << round << ": events sent before the power loss are gone";
  }
  std::cout << Rounds() << " power losses under load: " << submitted.size()
            << " acknowledged requests and " << acknowledged.size()
            << " acknowledged tasks all kept, " << streamed.size() << " streamed events unchanged; "
            << disk()->bytes_dropped() << " bytes and " << disk()->files_dropped()
            << " files dropped\n";
  EXPECT_GT(submitted.size(), 0u);
}

// While the disk has not synced a submit, nobody hears of it: not its
// caller, not a reader, not the holder's inbox stream. No sleep decides it:
// the test waits for the disk to hold the submit's sync (so the submit was
// applied), then for a barrier call that the broker answers without waiting
// for the disk (a failed credential); replies on one connection arrive in
// the order they were sent, so anything answered before the barrier has
// arrived by then.
TEST_F(PowerLossServiceTest, NothingIsShownBeforeItIsDurable) {
  const std::string token = CreateActor("acme");
  const std::string holding = CreateHolding(token, "acme", "data");
  auto requests = dsr::v1::RequestService::NewStub(channel_);
  auto inbox = dsr::v1::InboxService::NewStub(channel_);
  grpc::CompletionQueue queue;
  const auto answered = [&queue](void** tag) {
    bool ok = false;
    return queue.AsyncNext(tag, &ok, std::chrono::system_clock::now()) ==
           grpc::CompletionQueue::GOT_EVENT;
  };
  const auto barrier = [&] {
    dsr::v1::GetActorRequest get;
    get.set_name("actors/acme");
    dsr::v1::Actor actor;
    EXPECT_EQ(registry_->GetActor(Context("dsr_actor_not-a-token").get(), get, &actor).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  };

  disk()->HoldSyncs(true);
  dsr::v1::SubmitRequestRequest erasure;
  erasure.mutable_request()->set_type(dsr::v1::ERASURE);
  auto* id = erasure.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("held@example.com");
  erasure.mutable_request()->add_targets(holding);
  dsr::v1::SubmitRequestResponse submitted;
  grpc::Status submit_status;
  std::unique_ptr<grpc::ClientContext> submit_context = Context();
  auto submit = requests->AsyncSubmitRequest(submit_context.get(), erasure, &queue);
  submit->Finish(&submitted, &submit_status, reinterpret_cast<void*>(1));
  disk()->AwaitHeldSync();  // applied, its sync held

  // A stream opened now reads the stored backlog, which holds the event; a
  // reader lists the tasks, which include the new one.
  grpc::ClientContext listening;
  listening.AddMetadata("authorization", "Bearer " + token);
  std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> listener =
      inbox->StreamInbox(&listening, dsr::v1::StreamInboxRequest());
  listener->WaitForInitialMetadata();  // the stream is open and has looked
  std::atomic<int> events{0};
  std::thread holder([&] {
    dsr::v1::InboxEvent event;
    while (listener->Read(&event)) ++events;
  });
  dsr::v1::ListTasksResponse tasks;
  grpc::Status list_status;
  std::unique_ptr<grpc::ClientContext> list_context = Context(token);
  auto list = inbox->AsyncListTasks(list_context.get(), dsr::v1::ListTasksRequest(), &queue);
  list->Finish(&tasks, &list_status, reinterpret_cast<void*>(2));

  barrier();
  int done = 0;
  void* tag = nullptr;
  while (answered(&tag)) {
    ++done;
    ADD_FAILURE() << "call " << reinterpret_cast<intptr_t>(tag)
                  << " (1: the submit, 2: a read) was answered before it was durable";
  }
  EXPECT_EQ(events.load(), 0) << "the inbox stream sent an event that was not durable";

  disk()->HoldSyncs(false);
  for (; done < 2; ++done) {
    bool ok = false;
    ASSERT_EQ(queue.AsyncNext(&tag, &ok, absl::ToChronoTime(absl::Now() + absl::Seconds(30))),
              grpc::CompletionQueue::GOT_EVENT);
  }
  EXPECT_TRUE(submit_status.ok()) << submit_status.error_message();
  EXPECT_TRUE(list_status.ok()) << list_status.error_message();
  EXPECT_EQ(tasks.tasks_size(), 1);
  for (int i = 0; i < 500 && events.load() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(events.load(), 1);
  listening.TryCancel();
  holder.join();
  listener->Finish().ok();
  queue.Shutdown();
}

}  // namespace
}  // namespace dsr::testing
