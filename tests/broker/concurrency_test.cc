// Many threads submitting to overlapping lineages, moving the same tasks and
// cancelling at once: no lost update, no broken invariant, an intact chain.

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "broker/audit/audit_log.h"
#include "broker/inbox/inbox.h"
#include "storage/keys.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

class ConcurrencyTest : public RequestsTest {};

TEST_F(ConcurrencyTest, ConcurrentSubmitsTransitionsAndCancelsKeepEveryInvariant) {
  const std::vector<std::string> actors = {"acme", "beta", "gamma"};
  for (const auto& a : actors) AddActor(a);
  std::vector<std::string> holdings;
  for (int i = 0; i < 12; ++i)
    holdings.push_back(AddHolding(actors[i % 3], "h-" + std::to_string(i)));
  for (int i = 1; i < 12; ++i) {
    ASSERT_OK(Link(holdings[i], holdings[(i - 1) / 2]));
    if (i >= 3 && i - 2 != (i - 1) / 2) {
      ASSERT_OK(Link(holdings[i], holdings[i - 2]));  // overlapping paths
    }
  }
  Inbox& inbox = *tasks_;

  std::atomic<int> completed{0}, refused{0}, acknowledged{0}, submitted{0}, cancelled{0};
  std::atomic<int> unexpected{0};
  std::atomic<int> submitters_done{0};
  std::mutex names_mu;
  std::vector<std::string> request_names;
  auto expected_error = [&](const absl::Status& s) {
    if (!s.ok() && s.code() != StatusCode::kFailedPrecondition) ++unexpected;
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {  // submitters
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 15; ++i) {
        dsr::v1::SubmitRequestRequest r;
        r.mutable_request()->set_type(i % 2 ? dsr::v1::ERASURE : dsr::v1::OBJECTION);
        auto* id = r.mutable_request()->add_subject_identifiers();
        id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
        id->set_value("p" + std::to_string(t) + "@example.com");
        r.mutable_request()->add_targets(holdings[rng() % 6]);
        r.mutable_request()->add_targets(holdings[rng() % 12]);
        dsr::v1::SubmitRequestResponse response;
        absl::Status s = requests_->Submit(Principal::Anonymous(), r, &response);
        if (!s.ok()) {
          ++unexpected;
          continue;
        }
        ++submitted;
        std::lock_guard<std::mutex> lock(names_mu);
        request_names.push_back(response.request().name());
      }
      ++submitters_done;
    });
  }
  for (int t = 0; t < 6; ++t) {  // holders, two per actor, racing on the same tasks
    threads.emplace_back([&, t] {
      const Principal me = Principal::Actor(actors[t % 3]);
      std::mt19937 rng(100 + t);
      // Work while requests arrive, then a few rounds more.
      for (int after = 0; after < 3; after += submitters_done.load() == 4 ? 1 : 0) {
        dsr::v1::ListTasksRequest list;
        list.set_page_size(1000);
        dsr::v1::ListTasksResponse tasks;
        if (!inbox.ListTasks(me, list, &tasks).ok()) ++unexpected;
        for (const auto& task : tasks.tasks()) {
          dsr::v1::Task out;
          switch (rng() % 4) {
            case 0: {
              dsr::v1::AcknowledgeTaskRequest r;
              r.set_name(task.name());
              absl::Status s = inbox.Acknowledge(me, r, &out);
              if (s.ok()) ++acknowledged;
              expected_error(s);
              break;
            }
            case 1: {
              dsr::v1::CompleteTaskRequest r;
              r.set_name(task.name());
              r.set_outcome(dsr::v1::EXCLUDED_FROM_TRAINING);
              absl::Status s = inbox.Complete(me, r, &out);
              if (s.ok()) ++completed;
              expected_error(s);
              break;
            }
            case 2: {
              dsr::v1::RefuseTaskRequest r;
              r.set_name(task.name());
              r.set_ground(dsr::v1::LEGAL_CLAIMS);
              r.set_explanation("pending litigation");
              absl::Status s = inbox.Refuse(me, r, &out);
              if (s.ok()) ++refused;
              expected_error(s);
              break;
            }
            default:
              break;
          }
        }
      }
    });
  }
  threads.emplace_back([&] {  // the person withdraws some requests
    for (int round = 0; round < 30; ++round) {
      std::string name;
      {
        std::lock_guard<std::mutex> lock(names_mu);
        if (request_names.size() > static_cast<size_t>(round)) name = request_names[round];
      }
      if (name.empty()) {
        absl::SleepFor(absl::Milliseconds(2));
        continue;
      }
      if (round % 3 != 0) continue;
      dsr::v1::CancelRequestRequest r;
      r.set_name(name);
      dsr::v1::GetRequestResponse out;
      absl::Status s = requests_->Cancel(admin_, r, &out);
      if (s.ok()) ++cancelled;
      expected_error(s);
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(submitted.load(), 60);

  // Invariants over every request: one task per holding, and the counts the
  // person sees agree with the tasks as each holder lists them (through the
  // actor index, a separate read path).
  std::map<std::string, int> state_of;  // task name -> state, from the holders' lists
  for (const auto& a : actors) {
    dsr::v1::ListTasksRequest list;
    list.set_page_size(1000);
    do {
      dsr::v1::ListTasksResponse page;
      ASSERT_OK(inbox.ListTasks(Principal::Actor(a), list, &page));
      for (const auto& task : page.tasks()) {
        EXPECT_TRUE(state_of.emplace(task.name(), task.state()).second) << "listed twice";
      }
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }
  int completed_tasks = 0, refused_tasks = 0;
  size_t tasks_seen = 0;
  for (const std::string& name : request_names) {
    dsr::v1::GetRequestRequest get;
    get.set_name(name);
    dsr::v1::GetRequestResponse read;
    ASSERT_OK(requests_->Get(admin_, get, &read));
    std::set<std::string> holdings_seen;
    std::map<int, int> by_state;
    for (const auto& task : read.tasks()) {
      EXPECT_TRUE(holdings_seen.insert(task.holding()).second) << "two tasks on " << task.holding();
      ASSERT_TRUE(state_of.count(task.name())) << task.name() << " missing from its holder's list";
      ++by_state[state_of[task.name()]];
      ++tasks_seen;
    }
    const dsr::v1::TaskCounts& c = read.request().task_counts();
    EXPECT_EQ(c.open(), by_state[dsr::v1::Task::OPEN]);
    EXPECT_EQ(c.acknowledged(), by_state[dsr::v1::Task::ACKNOWLEDGED]);
    EXPECT_EQ(c.completed(), by_state[dsr::v1::Task::COMPLETED]);
    EXPECT_EQ(c.refused(), by_state[dsr::v1::Task::REFUSED]);
    EXPECT_EQ(c.cancelled(), by_state[dsr::v1::Task::CANCELLED]);
    completed_tasks += by_state[dsr::v1::Task::COMPLETED];
    refused_tasks += by_state[dsr::v1::Task::REFUSED];
  }
  EXPECT_EQ(tasks_seen, state_of.size());
  // The race was real: tasks were moved, and some requests withdrawn.
  EXPECT_GT(completed.load() + refused.load(), 0);
  RecordProperty("completed", completed.load());
  RecordProperty("refused", refused.load());
  RecordProperty("cancelled", cancelled.load());
  // No lost update: every acknowledged terminal transition is in the store.
  EXPECT_EQ(completed_tasks, completed.load());
  EXPECT_EQ(refused_tasks, refused.load());

  // Inbox sequences are gap-free per actor.
  for (const auto& a : actors) {
    std::vector<storage::v1::InboxEventRecord> events = InboxOf(a);
    for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(events[i].sequence(), i + 1) << a;
  }
  AuditLog& audit = core_->audit();
  dsr::v1::VerifyAuditLogResponse verified;
  ASSERT_OK(audit.VerifyAuditLog(admin_, {}, &verified));
  EXPECT_TRUE(verified.intact());
  EXPECT_EQ(verified.event_count(), journal_->head_sequence());
}

}  // namespace
}  // namespace dsr::broker
