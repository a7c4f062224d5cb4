// The crash loop (issue 7): the real dsr-broker binary under concurrent
// clients that submit requests and move tasks through their lifecycle, killed
// with SIGKILL at random moments and restarted, round after round. Every
// answer a client got is recorded outside the broker; after each restart every
// acknowledged request must be there, every acknowledged task at least in the
// state it was acknowledged in, the audit chain whole and the inbox gap-free.
//
// 5 rounds in the suite; DSR_CRASH_ROUNDS=200 for the long mode. Each round
// checks what is new and a sample of the rest; the last checks everything.

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/e2e_calls.h"
#include "tests/support/durability_checks.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::testing {
namespace {

// One busy client address: the per-address limit would stop it at once.
const std::vector<std::string> kFlags = {"--submits_per_address_per_minute", "0"};

int Rounds() {
  int rounds = 5;
  const char* env = std::getenv("DSR_CRASH_ROUNDS");
  if (env != nullptr && !absl::SimpleAtoi(env, &rounds)) rounds = 5;
  return rounds;
}

// What clients were told, kept outside the broker.
struct Ledger {
  struct Request {
    std::string name, receipt, task;
  };
  std::mutex mu;
  std::vector<Request> requests;
  // Task name → the furthest state a transition on it was acknowledged in.
  std::map<std::string, dsr::v1::Task::State> tasks;
  // Tasks whose entry changed since the last check.
  std::vector<std::string> changed;
};

// Rank of a state along the lifecycle, to compare "at least".
int Rank(dsr::v1::Task::State state) {
  switch (state) {
    case dsr::v1::Task::OPEN:
      return 1;
    case dsr::v1::Task::ACKNOWLEDGED:
      return 2;
    case dsr::v1::Task::COMPLETED:
      return 3;
    default:
      return 0;
  }
}

class CrashLoopTest : public ::testing::Test {
 protected:
  void Connect(const BrokerProcess& broker) {
    channel_ = grpc::CreateChannel(broker.address(), grpc::InsecureChannelCredentials());
    registry_ = dsr::v1::RegistryService::NewStub(channel_);
    requests_ = dsr::v1::RequestService::NewStub(channel_);
    inbox_ = dsr::v1::InboxService::NewStub(channel_);
    audit_ = dsr::v1::AuditService::NewStub(channel_);
  }

  // Clients until `stop`: three submit ERASURE requests, one acknowledges
  // and completes the tasks of requests submitted before.
  void RunClients(const std::atomic<bool>& stop, std::vector<std::thread>& threads) {
    for (int c = 0; c < 4; ++c) {
      threads.emplace_back([this, c, &stop] {
        auto requests = requests_;
        auto inbox = inbox_;
        for (int i = 0; !stop.load(); ++i) {
          if (c == 3) {
            Ledger::Request target;
            dsr::v1::Task::State reached;
            {
              std::lock_guard<std::mutex> lock(ledger_.mu);
              if (ledger_.requests.empty()) continue;
              target = ledger_.requests[(i * 7919) % ledger_.requests.size()];
              auto it = ledger_.tasks.find(target.task);
              reached = it == ledger_.tasks.end() ? dsr::v1::Task::OPEN : it->second;
            }
            dsr::v1::Task answer;
            grpc::Status s;
            dsr::v1::Task::State next;
            if (reached == dsr::v1::Task::OPEN) {
              dsr::v1::AcknowledgeTaskRequest ack;
              ack.set_name(target.task);
              s = inbox->AcknowledgeTask(Context(token_).get(), ack, &answer);
              next = dsr::v1::Task::ACKNOWLEDGED;
            } else if (reached == dsr::v1::Task::ACKNOWLEDGED) {
              dsr::v1::CompleteTaskRequest complete;
              complete.set_name(target.task);
              complete.set_outcome(dsr::v1::ERASED);
              s = inbox->CompleteTask(Context(token_).get(), complete, &answer);
              next = dsr::v1::Task::COMPLETED;
            } else {
              continue;
            }
            if (!s.ok()) {
              // Done already by a call whose answer a crash swallowed: the
              // broker knows better than the ledger; anything else ends the
              // round for this client.
              if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) continue;
              EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
              return;
            }
            std::lock_guard<std::mutex> lock(ledger_.mu);
            dsr::v1::Task::State& state = ledger_.tasks[target.task];
            if (Rank(next) > Rank(state)) state = next;
            ledger_.changed.push_back(target.task);
            continue;
          }
          dsr::v1::SubmitRequestRequest erasure;
          erasure.mutable_request()->set_type(dsr::v1::ERASURE);
          auto* id = erasure.mutable_request()->add_subject_identifiers();
          id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
          id->set_value(absl::StrCat("c", c, "-", person_++, "@example.com"));
          erasure.mutable_request()->add_targets(holding_);
          dsr::v1::SubmitRequestResponse response;
          grpc::Status s = requests->SubmitRequest(Context().get(), erasure, &response);
          if (!s.ok()) {
            // The broker died under the call: expected. Anything else is not.
            EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
            return;
          }
          std::lock_guard<std::mutex> lock(ledger_.mu);
          ledger_.requests.push_back(
              {response.request().name(), response.receipt_token(), response.tasks(0).name()});
        }
      });
    }
  }

  // The ledger is in the broker, and the audit chain and the inbox are
  // whole. `full`: every entry and every event; else what was acknowledged
  // since the last check, a random sample of the rest, and the inbox events
  // after the last check (so that a long run does not slow down as it
  // goes).
  void Check(int round, bool full, std::mt19937& random) {
    std::lock_guard<std::mutex> lock(ledger_.mu);
    std::vector<size_t> requests;
    for (size_t i = full ? 0 : checked_requests_; i < ledger_.requests.size(); ++i) {
      requests.push_back(i);
    }
    std::vector<std::string> tasks = ledger_.changed;
    if (full) {
      for (const auto& [name, state] : ledger_.tasks) tasks.push_back(name);
    } else if (checked_requests_ > 0) {
      for (int k = 0; k < 100; ++k) {
        requests.push_back(std::uniform_int_distribution<size_t>(0, checked_requests_ - 1)(random));
        const Ledger::Request& r = ledger_.requests[requests.back()];
        if (ledger_.tasks.count(r.task)) tasks.push_back(r.task);
      }
    }
    for (size_t i : requests) {
      const Ledger::Request& r = ledger_.requests[i];
      ASSERT_TRUE(RequestIsThere(*requests_, r.name, r.receipt)) << "round " << round;
    }
    for (const std::string& name : tasks) {
      dsr::v1::GetTaskRequest get;
      get.set_name(name);
      dsr::v1::Task task;
      ASSERT_TRUE(inbox_->GetTask(Context(token_).get(), get, &task).ok()) << name;
      EXPECT_GE(Rank(task.state()), Rank(ledger_.tasks[name]))
          << "round " << round << ": " << name << " went back to " << task.state();
    }
    checked_requests_ = ledger_.requests.size();
    ledger_.changed.clear();

    uint64_t events = 0;
    ASSERT_TRUE(AuditChainIsIntact(*audit_, admin_, &events)) << "round " << round;
    EXPECT_GE(events, audit_events_) << "round " << round << ": audit events lost";
    audit_events_ = events;
    ASSERT_TRUE(InboxIsGapFree(*inbox_, token_, full ? 0 : checked_sequence_, &checked_sequence_))
        << "round " << round;
  }

  TempDir dir_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<dsr::v1::RegistryService::Stub> registry_;
  std::shared_ptr<dsr::v1::RequestService::Stub> requests_;
  std::shared_ptr<dsr::v1::InboxService::Stub> inbox_;
  std::shared_ptr<dsr::v1::AuditService::Stub> audit_;
  std::string admin_, token_, holding_;
  std::atomic<int64_t> person_{0};
  Ledger ledger_;
  // How far earlier checks went.
  size_t checked_requests_ = 0;
  uint64_t checked_sequence_ = 0;
  uint64_t audit_events_ = 0;
};

TEST_F(CrashLoopTest, EveryAcknowledgedWriteSurvivesSigkillRoundAfterRound) {
  const std::string data = dir_.Sub("data");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data, kFlags));
  Connect(*broker);
  admin_ = ReadAdminToken(data);
  ASSERT_TRUE(CreateActor(*registry_, admin_, "acme", &token_).ok());
  ASSERT_TRUE(CreateHolding(*registry_, token_, "acme", "data", &holding_).ok());

  std::mt19937 random(20261130);
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    RunClients(stop, clients);
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(50, 400)(random)));
    broker->Signal(SIGKILL);
    ASSERT_EQ(broker->Wait(), 128 + SIGKILL);
    stop = true;
    for (std::thread& t : clients) t.join();
    broker = nullptr;

    ASSERT_OK_AND_ASSIGN(broker, BrokerProcess::Start(data, kFlags));
    Connect(*broker);
    ASSERT_NO_FATAL_FAILURE(Check(round, /*full=*/round == rounds - 1, random));
  }
  std::lock_guard<std::mutex> lock(ledger_.mu);
  int completed = 0;
  for (const auto& [name, state] : ledger_.tasks) completed += state == dsr::v1::Task::COMPLETED;
  std::cout << rounds << " SIGKILL rounds: " << ledger_.requests.size()
            << " acknowledged requests, " << ledger_.tasks.size() << " acknowledged transitions ("
            << completed << " completed), all kept; audit chain and inbox whole\n";
  EXPECT_GT(ledger_.requests.size(), 0u);
}

}  // namespace
}  // namespace dsr::testing
