#include "broker/audit/audit_log.h"
#include "broker/inbox/inbox.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using dsr::v1::Task;

class LateLinkTest : public RequestsTest {
 protected:
  LateLinkTest() {
    AddActor("acme");
    AddActor("beta");
    a_ = AddHolding("acme", "aaa");
    b_ = AddHolding("beta", "bbb");
    c_ = AddHolding("beta", "ccc");
    EXPECT_OK(Link(c_, b_));  // c was made from b before anyone knew b came from a
  }
  std::vector<dsr::v1::Task> TasksOf(const dsr::v1::SubmitRequestResponse& submitted) {
    dsr::v1::GetRequestRequest get;
    get.set_name(submitted.request().name());
    dsr::v1::GetRequestResponse read;
    EXPECT_OK(requests_->Get(admin_, get, &read));
    return {read.tasks().begin(), read.tasks().end()};
  }
  void CompleteAll(const dsr::v1::SubmitRequestResponse& submitted, dsr::v1::Outcome outcome) {
    for (const auto& t : TasksOf(submitted)) {
      dsr::v1::CompleteTaskRequest complete;
      complete.set_name(t.name());
      complete.set_outcome(outcome);
      Task done;
      EXPECT_OK(tasks_->Complete(Principal::Actor(t.actor().substr(7)), complete, &done));
    }
  }

  std::string a_, b_, c_;
};

TEST_F(LateLinkTest, CompletedErasureFollowsANewLinkToTheCopyAndBeyond) {
  dsr::v1::SubmitRequestResponse erasure = Submit({a_});
  ASSERT_EQ(erasure.tasks_size(), 1);
  CompleteAll(erasure, dsr::v1::ERASED);
  EXPECT_TRUE(InboxOf("beta").empty());

  ASSERT_OK(Link(b_, a_));  // the copy is declared later

  std::vector<Task> tasks = TasksOf(erasure);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[1].holding(), b_);
  EXPECT_EQ(tasks[1].reason(), Task::LATE_LINK);
  EXPECT_EQ(tasks[1].via(), a_);
  EXPECT_EQ(tasks[1].path_size(), 2);
  EXPECT_EQ(tasks[1].state(), Task::OPEN);
  EXPECT_EQ(tasks[1].actor(), "actors/beta");
  EXPECT_EQ(tasks[2].holding(), c_);
  EXPECT_EQ(tasks[2].via(), b_);
  std::vector<storage::v1::InboxEventRecord> beta = InboxOf("beta");
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_EQ(beta[0].task(), tasks[1].name());
  EXPECT_EQ(beta[0].kind(), dsr::v1::InboxEvent::TASK_CREATED);

  AuditLog& audit = core_->audit();
  dsr::v1::ListAuditEventsResponse events;
  ASSERT_OK(audit.ListAuditEvents(admin_, {}, &events));
  const auto& last = *events.events().rbegin();
  EXPECT_EQ(last.action(), "ForwardOverLateLink");
  EXPECT_EQ(last.resource(), erasure.request().name());
  dsr::v1::VerifyAuditLogResponse verified;
  ASSERT_OK(audit.VerifyAuditLog(admin_, {}, &verified));
  EXPECT_TRUE(verified.intact());
}

TEST_F(LateLinkTest, CancelledRequestsAndClosedAccessRequestsStay) {
  dsr::v1::SubmitRequestResponse cancelled = Submit({a_});
  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(cancelled.request().name());
  dsr::v1::GetRequestResponse ignored;
  ASSERT_OK(requests_->Cancel(admin_, cancel, &ignored));
  dsr::v1::SubmitRequestResponse closed_access =
      Submit({a_}, dsr::v1::Request::DOWNSTREAM, dsr::v1::ACCESS);
  CompleteAll(closed_access, dsr::v1::NO_DATA_FOUND);
  dsr::v1::SubmitRequestResponse open_access =
      Submit({a_}, dsr::v1::Request::DOWNSTREAM, dsr::v1::ACCESS);

  ASSERT_OK(Link(b_, a_));
  EXPECT_EQ(TasksOf(cancelled).size(), 1u);
  EXPECT_EQ(TasksOf(closed_access).size(), 1u);
  EXPECT_EQ(TasksOf(open_access).size(), 3u);
}

TEST_F(LateLinkTest, HoldingsAlreadyTaskedAreNotTaskedTwice) {
  // The request reached c already (as a target); linking b <- a forwards to
  // b only.
  dsr::v1::SubmitRequestResponse erasure = Submit({a_, c_});
  ASSERT_EQ(erasure.tasks_size(), 2);
  ASSERT_OK(Link(b_, a_));
  std::vector<Task> tasks = TasksOf(erasure);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[2].holding(), b_);
}

}  // namespace
}  // namespace dsr::broker
