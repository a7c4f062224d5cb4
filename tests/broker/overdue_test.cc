#include "broker/lifecycle/overdue.h"

#include "broker/base/time_util.h"
#include "broker/inbox/inbox.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

class OverdueTest : public RequestsTest {
 protected:
  OverdueTest() {
    AddActor("acme");
    AddActor("beta");
    source_ = AddHolding("acme", "source");
    copy_ = AddHolding("beta", "copy");
    EXPECT_OK(Link(copy_, source_));
  }
  int Sweep() {
    absl::StatusOr<int> announced = core_->overdue().Sweep(/*batch_size=*/1);
    EXPECT_OK(announced);
    return announced.ok() ? *announced : -1;
  }
  int OverdueEvents(const std::string& actor) {
    int n = 0;
    for (const auto& e : InboxOf(actor)) n += e.kind() == dsr::v1::InboxEvent::TASK_OVERDUE;
    return n;
  }
  std::string source_, copy_;
};

TEST_F(OverdueTest, AnnouncedExactlyOnceAlsoAfterARestart) {
  dsr::v1::SubmitRequestResponse submitted = Submit({source_});
  EXPECT_EQ(Sweep(), 0);
  clock_.Set(FromProtoTime(submitted.tasks(0).due_time()));
  EXPECT_EQ(Sweep(), 0);  // due, not past due
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Sweep(), 2);
  EXPECT_EQ(Sweep(), 0);
  EXPECT_EQ(OverdueEvents("acme"), 1);
  EXPECT_EQ(OverdueEvents("beta"), 1);
  ReopenAll();
  clock_.Advance(absl::Hours(24));
  EXPECT_EQ(Sweep(), 0);
  EXPECT_EQ(OverdueEvents("acme"), 1);
  // Still overdue on the request, announced or not.
  dsr::v1::GetRequestRequest get;
  get.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse read;
  ASSERT_OK(requests_->Get(admin_, get, &read));
  EXPECT_EQ(read.request().task_counts().overdue(), 2);
}

TEST_F(OverdueTest, AnsweredAndExtendedTasksAreNotAnnouncedEarly) {
  dsr::v1::SubmitRequestResponse submitted = Submit({source_});
  Inbox* inbox = tasks_;
  dsr::v1::CompleteTaskRequest complete;
  complete.set_name(submitted.tasks(0).name());
  complete.set_outcome(dsr::v1::ERASED);
  dsr::v1::Task task;
  ASSERT_OK(inbox->Complete(Principal::Actor("acme"), complete, &task));
  dsr::v1::ExtendTaskRequest extend;
  extend.set_name(submitted.tasks(1).name());
  extend.set_months(1);
  extend.set_reason("the copy spans many shards");
  ASSERT_OK(inbox->Extend(Principal::Actor("beta"), extend, &task));

  clock_.Set(FromProtoTime(submitted.tasks(0).due_time()) + absl::Hours(1));
  EXPECT_EQ(Sweep(), 0);
  clock_.Set(FromProtoTime(task.due_time()) + absl::Seconds(1));
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(OverdueEvents("acme"), 0);
  EXPECT_EQ(OverdueEvents("beta"), 1);
}

}  // namespace
}  // namespace dsr::broker
