#include "broker/inbox/inbox.h"

#include "broker/base/time_util.h"
#include "broker/requests/deadlines.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;
using dsr::v1::Task;

class InboxTest : public RequestsTest {
 protected:
  InboxTest() {
    AddActor("acme");
    AddActor("beta");
    source_ = AddHolding("acme", "source");
    copy_ = AddHolding("beta", "copy");
    EXPECT_OK(Link(copy_, source_));
  }
  // The task of `response` on `holding`.
  static std::string TaskOn(const dsr::v1::SubmitRequestResponse& response,
                            const std::string& holding) {
    for (const auto& t : response.tasks()) {
      if (t.holding() == holding) return t.name();
    }
    return "";
  }
  absl::Status Ack(const Principal& p, const std::string& name) {
    dsr::v1::AcknowledgeTaskRequest r;
    r.set_name(name);
    Task t;
    return tasks_->Acknowledge(p, r, &t);
  }
  absl::Status Complete(const Principal& p, const std::string& name, dsr::v1::Outcome outcome) {
    dsr::v1::CompleteTaskRequest r;
    r.set_name(name);
    r.set_outcome(outcome);
    Task t;
    return tasks_->Complete(p, r, &t);
  }
  absl::Status Refuse(const Principal& p, const std::string& name, const std::string& why) {
    dsr::v1::RefuseTaskRequest r;
    r.set_name(name);
    r.set_ground(dsr::v1::LEGAL_CLAIMS);
    r.set_explanation(why);
    Task t;
    return tasks_->Refuse(p, r, &t);
  }
  absl::StatusOr<Task> Extend(const std::string& name, int months) {
    dsr::v1::ExtendTaskRequest r;
    r.set_name(name);
    r.set_months(months);
    r.set_reason("complex request spanning several releases");
    Task t;
    absl::Status s = tasks_->Extend(acme_, r, &t);
    if (!s.ok()) return s;
    return t;
  }
  dsr::v1::Request::State RequestState(const dsr::v1::SubmitRequestResponse& submitted) {
    dsr::v1::GetRequestRequest get;
    get.set_name(submitted.request().name());
    dsr::v1::GetRequestResponse read;
    EXPECT_OK(requests_->Get(admin_, get, &read));
    return read.request().state();
  }

  const Principal acme_ = Principal::Actor("acme");
  const Principal beta_ = Principal::Actor("beta");
  std::string source_, copy_;
};

TEST_F(InboxTest, EveryLegalAndIllegalTransition) {
  // From OPEN: acknowledge, complete, refuse are legal.
  for (int path = 0; path < 3; ++path) {
    dsr::v1::SubmitRequestResponse s = Submit({source_});
    const std::string task = TaskOn(s, source_);
    if (path == 0) {
      ASSERT_OK(Ack(acme_, task));
    } else if (path == 1) {
      ASSERT_OK(Complete(acme_, task, dsr::v1::ERASED));
    } else {
      ASSERT_OK(Refuse(acme_, task, "needed for a pending lawsuit"));
    }
    if (path == 0) {
      // From ACKNOWLEDGED: acknowledge again is illegal; complete is legal.
      EXPECT_CODE(Ack(acme_, task), StatusCode::kFailedPrecondition);
      ASSERT_OK(Complete(acme_, task, dsr::v1::UNLEARNED));
    }
    // From a terminal state nothing is legal.
    EXPECT_CODE(Ack(acme_, task), StatusCode::kFailedPrecondition);
    EXPECT_CODE(Complete(acme_, task, dsr::v1::ERASED), StatusCode::kFailedPrecondition);
    EXPECT_CODE(Refuse(acme_, task, "x"), StatusCode::kFailedPrecondition);
    EXPECT_CODE(Extend(task, 1), StatusCode::kFailedPrecondition);
  }
  // From ACKNOWLEDGED, refuse is legal too; from CANCELLED nothing is.
  dsr::v1::SubmitRequestResponse s = Submit({source_});
  ASSERT_OK(Ack(acme_, TaskOn(s, source_)));
  ASSERT_OK(Refuse(acme_, TaskOn(s, source_), "freedom of expression of the archive"));
  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(s.request().name());
  dsr::v1::GetRequestResponse cancelled;
  ASSERT_OK(requests_->Cancel(admin_, cancel, &cancelled));
  EXPECT_EQ(cancelled.tasks(0).state(), Task::REFUSED);  // terminal before: kept
  EXPECT_EQ(cancelled.tasks(1).state(), Task::CANCELLED);
  EXPECT_CODE(Ack(beta_, TaskOn(s, copy_)), StatusCode::kFailedPrecondition);
}

TEST_F(InboxTest, OutcomeMustFitTheRequestType) {
  dsr::v1::SubmitRequestResponse access =
      Submit({source_}, dsr::v1::Request::TARGET_ONLY, dsr::v1::ACCESS);
  EXPECT_CODE(Complete(acme_, TaskOn(access, source_), dsr::v1::ERASED),
              StatusCode::kInvalidArgument);
  EXPECT_OK(Complete(acme_, TaskOn(access, source_), dsr::v1::NO_DATA_FOUND));
  dsr::v1::SubmitRequestResponse rectify =
      Submit({source_}, dsr::v1::Request::TARGET_ONLY, dsr::v1::RECTIFICATION);
  EXPECT_CODE(Complete(acme_, TaskOn(rectify, source_), dsr::v1::PROCESSING_STOPPED),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(Complete(acme_, TaskOn(rectify, source_), dsr::v1::OUTCOME_UNSPECIFIED),
              StatusCode::kInvalidArgument);
  EXPECT_OK(Complete(acme_, TaskOn(rectify, source_), dsr::v1::RECTIFIED));
  dsr::v1::SubmitRequestResponse object =
      Submit({source_}, dsr::v1::Request::TARGET_ONLY, dsr::v1::OBJECTION);
  EXPECT_CODE(Complete(acme_, TaskOn(object, source_), dsr::v1::ACCESS_PROVIDED),
              StatusCode::kInvalidArgument);
  EXPECT_OK(Complete(acme_, TaskOn(object, source_), dsr::v1::PROCESSING_STOPPED));
}

TEST_F(InboxTest, RefusalNeedsAGroundAndAnExplanation) {
  dsr::v1::SubmitRequestResponse s = Submit({source_});
  EXPECT_CODE(Refuse(acme_, TaskOn(s, source_), ""), StatusCode::kInvalidArgument);
  dsr::v1::RefuseTaskRequest no_ground;
  no_ground.set_name(TaskOn(s, source_));
  no_ground.set_explanation("because");
  Task t;
  EXPECT_CODE(tasks_->Refuse(acme_, no_ground, &t), StatusCode::kInvalidArgument);
  ASSERT_OK(Refuse(acme_, TaskOn(s, source_), "archiving in the public interest"));
  dsr::v1::GetTaskRequest get;
  get.set_name(TaskOn(s, source_));
  ASSERT_OK(tasks_->GetTask(acme_, get, &t));
  EXPECT_EQ(t.refusal_ground(), dsr::v1::LEGAL_CLAIMS);
  EXPECT_EQ(t.explanation(), "archiving in the public interest");
}

TEST_F(InboxTest, ExtensionRules) {
  dsr::v1::SubmitRequestResponse s = Submit({source_});
  const std::string task = TaskOn(s, source_);
  const absl::Time created = FromProtoTime(s.tasks(0).create_time());
  EXPECT_CODE(Extend(task, 3), StatusCode::kInvalidArgument);
  EXPECT_CODE(Extend(task, 0), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(Task once, Extend(task, 1));
  EXPECT_EQ(once.extension_months(), 1);
  EXPECT_EQ(FromProtoTime(once.due_time()), DueTime(created, 1));
  EXPECT_EQ(once.extension_reason(), "complex request spanning several releases");
  EXPECT_CODE(Extend(task, 2), StatusCode::kFailedPrecondition);  // 3 in total
  ASSERT_OK_AND_ASSIGN(Task twice, Extend(task, 1));
  EXPECT_EQ(FromProtoTime(twice.due_time()), DueTime(created, 2));
  EXPECT_CODE(Extend(task, 1), StatusCode::kFailedPrecondition);

  // Not after the due time.
  dsr::v1::SubmitRequestResponse late = Submit({source_});
  clock_.Set(FromProtoTime(late.tasks(0).due_time()));
  EXPECT_CODE(Extend(TaskOn(late, source_), 1), StatusCode::kFailedPrecondition);
}

TEST_F(InboxTest, AnotherActorsTaskLooksMissingAndOtherRolesAreRefused) {
  dsr::v1::SubmitRequestResponse s = Submit({source_});
  const std::string acme_task = TaskOn(s, source_);
  absl::Status foreign = Ack(beta_, acme_task);
  absl::Status missing = Ack(beta_, s.request().name() + "/tasks/99");
  EXPECT_CODE(foreign, StatusCode::kNotFound);
  EXPECT_EQ(foreign, missing);
  dsr::v1::GetTaskRequest get;
  get.set_name(acme_task);
  Task t;
  EXPECT_CODE(tasks_->GetTask(beta_, get, &t), StatusCode::kNotFound);
  EXPECT_CODE(tasks_->GetTask(admin_, get, &t), StatusCode::kPermissionDenied);
  EXPECT_CODE(tasks_->GetTask(ReceiptOf(s), get, &t), StatusCode::kPermissionDenied);
  EXPECT_CODE(tasks_->GetTask(Principal::Anonymous(), get, &t), StatusCode::kUnauthenticated);
  EXPECT_OK(tasks_->GetTask(acme_, get, &t));
}

TEST_F(InboxTest, RequestCompletesWhenEveryTaskIsTerminal) {
  dsr::v1::SubmitRequestResponse s = Submit({source_});
  ASSERT_OK(Complete(acme_, TaskOn(s, source_), dsr::v1::ERASED));
  EXPECT_EQ(RequestState(s), dsr::v1::Request::OPEN);
  ASSERT_OK(Refuse(beta_, TaskOn(s, copy_), "no such person in our copy's records"));
  EXPECT_EQ(RequestState(s), dsr::v1::Request::COMPLETED);
}

TEST_F(InboxTest, RetriedTransitionChangesNothing) {
  dsr::v1::SubmitRequestResponse s = Submit({source_});
  dsr::v1::CompleteTaskRequest r;
  r.set_name(TaskOn(s, source_));
  r.set_outcome(dsr::v1::ERASED);
  r.set_request_id("complete-1");
  Task first, second;
  ASSERT_OK(tasks_->Complete(acme_, r, &first));
  const uint64_t head = journal_->head_sequence();
  ASSERT_OK(tasks_->Complete(acme_, r, &second));  // would be illegal if applied again
  EXPECT_EQ(second.state(), Task::COMPLETED);
  EXPECT_EQ(journal_->head_sequence(), head);
}

TEST_F(InboxTest, ListTasksFiltersAndPages) {
  for (int i = 0; i < 5; ++i) Submit({source_});
  dsr::v1::ListTasksRequest list;
  list.set_page_size(2);
  std::vector<std::string> names;
  int pages = 0;
  do {
    dsr::v1::ListTasksResponse page;
    ASSERT_OK(tasks_->ListTasks(acme_, list, &page));
    for (const auto& t : page.tasks()) names.push_back(t.name());
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(pages, 3);
  ASSERT_OK(Ack(acme_, names[1]));
  dsr::v1::ListTasksRequest acked;
  acked.set_state(Task::ACKNOWLEDGED);
  dsr::v1::ListTasksResponse result;
  ASSERT_OK(tasks_->ListTasks(acme_, acked, &result));
  ASSERT_EQ(result.tasks_size(), 1);
  EXPECT_EQ(result.tasks(0).name(), names[1]);

  dsr::v1::ListTasksRequest overdue;
  overdue.set_overdue(true);
  result.Clear();
  ASSERT_OK(tasks_->ListTasks(acme_, overdue, &result));
  EXPECT_EQ(result.tasks_size(), 0);
  clock_.Advance(absl::Hours(24 * 32));
  ASSERT_OK(Complete(acme_, names[0], dsr::v1::ERASED));
  result.Clear();
  ASSERT_OK(tasks_->ListTasks(acme_, overdue, &result));
  EXPECT_EQ(result.tasks_size(), 4);
  // beta's tasks never show in acme's list.
  for (const auto& t : result.tasks()) EXPECT_EQ(t.actor(), "actors/acme");
}

TEST_F(InboxTest, EventsAndCursor) {
  Submit({source_});
  Submit({source_});
  // Events are read only once durable; the service layer waits so for every
  // answer, the test for its reads.
  ASSERT_OK(store_->AwaitDurable());
  ASSERT_OK_AND_ASSIGN(std::vector<dsr::v1::InboxEvent> events, tasks_->ReadEvents("beta", 0, 10));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].sequence(), 2u);
  EXPECT_EQ(events[1].task().holding(), copy_);
  EXPECT_EQ(events[1].task().subject_identifiers(0).value(), "alice@example.com");
  ASSERT_OK_AND_ASSIGN(std::vector<dsr::v1::InboxEvent> after, tasks_->ReadEvents("beta", 1, 10));
  ASSERT_EQ(after.size(), 1u);

  dsr::v1::CommitInboxRequest commit;
  commit.set_sequence(3);
  dsr::v1::CommitInboxResponse committed;
  EXPECT_CODE(tasks_->CommitInbox(beta_, commit, &committed), StatusCode::kInvalidArgument);
  commit.set_sequence(2);
  ASSERT_OK(tasks_->CommitInbox(beta_, commit, &committed));
  EXPECT_EQ(committed.committed(), 2u);
  commit.set_sequence(1);  // never moves back
  ASSERT_OK(tasks_->CommitInbox(beta_, commit, &committed));
  EXPECT_EQ(committed.committed(), 2u);
  ReopenAll();
  ASSERT_OK_AND_ASSIGN(storage::v1::InboxStateRecord state, inbox_->State("beta"));
  EXPECT_EQ(state.committed(), 2u);
  EXPECT_EQ(state.last_sequence(), 2u);
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

// Who is calling is checked before what the call says: a caller without the
// right role learns nothing about its input's validity.
TEST_F(InboxTest, RoleIsCheckedBeforeTheRequest) {
  dsr::v1::CompleteTaskRequest complete;  // no name, no outcome
  dsr::v1::RefuseTaskRequest refuse;
  dsr::v1::ExtendTaskRequest extend;
  dsr::v1::Task out;
  const std::pair<Principal, absl::StatusCode> callers[] = {
      {Principal::Anonymous(), absl::StatusCode::kUnauthenticated},
      {Principal::Admin(), absl::StatusCode::kPermissionDenied},
      {Principal::Receipt("r"), absl::StatusCode::kPermissionDenied},
      {Principal::Actor("acme"), absl::StatusCode::kInvalidArgument},
  };
  for (const auto& [caller, code] : callers) {
    SCOPED_TRACE(caller.Label());
    EXPECT_CODE(tasks_->Complete(caller, complete, &out), code);
    EXPECT_CODE(tasks_->Refuse(caller, refuse, &out), code);
    EXPECT_CODE(tasks_->Extend(caller, extend, &out), code);
  }
}

}  // namespace
}  // namespace dsr::broker
