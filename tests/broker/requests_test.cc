#include "absl/strings/match.h"
#include "broker/audit/audit_log.h"
#include "broker/base/time_util.h"
#include "broker/requests/deadlines.h"
#include "storage/keys.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

std::string H(const std::string& actor, const std::string& id) {
  return "actors/" + actor + "/holdings/" + id;
}

class SubmitTest : public RequestsTest {
 protected:
  SubmitTest() {
    AddActor("acme");
    AddActor("beta");
    AddHolding("acme", "raw");
    AddHolding("acme", "clean");
    AddHolding("beta", "model", dsr::v1::Holding::MODEL);
    EXPECT_OK(Link(H("acme", "clean"), H("acme", "raw")));
    EXPECT_OK(Link(H("beta", "model"), H("acme", "clean")));
  }
};

TEST_F(SubmitTest, ErasureReachesTheLineageWithInboxEventsAndAudit) {
  const uint64_t audit_before = journal_->head_sequence();
  dsr::v1::SubmitRequestResponse submitted = Submit({H("acme", "raw")});
  ASSERT_EQ(submitted.tasks_size(), 3);
  EXPECT_FALSE(submitted.receipt_token().empty());
  const dsr::v1::Request& request = submitted.request();
  EXPECT_EQ(request.state(), dsr::v1::Request::OPEN);
  EXPECT_EQ(request.subject_identifiers(0).value(), "alice@example.com");
  EXPECT_EQ(request.lineage_scope(), dsr::v1::Request::DOWNSTREAM);
  EXPECT_EQ(request.task_counts().open(), 3);

  const dsr::v1::Task& model = submitted.tasks(2);
  EXPECT_EQ(model.holding(), H("beta", "model"));
  EXPECT_EQ(model.actor(), "actors/beta");
  EXPECT_EQ(model.reason(), dsr::v1::Task::LINEAGE);
  EXPECT_EQ(model.via(), H("acme", "clean"));
  EXPECT_EQ(model.path_size(), 3);
  EXPECT_EQ(model.state(), dsr::v1::Task::OPEN);
  EXPECT_EQ(FromProtoTime(model.due_time()), DueTime(clock_.Now(), 0));
  // The person's view does not repeat the identifiers in every task.
  EXPECT_EQ(model.subject_identifiers_size(), 0);

  // Each holder's inbox got its events, numbered from 1 without gaps.
  std::vector<storage::v1::InboxEventRecord> acme = InboxOf("acme");
  ASSERT_EQ(acme.size(), 2u);
  EXPECT_EQ(acme[0].sequence(), 1u);
  EXPECT_EQ(acme[1].sequence(), 2u);
  EXPECT_EQ(acme[0].kind(), dsr::v1::InboxEvent::TASK_CREATED);
  std::vector<storage::v1::InboxEventRecord> beta = InboxOf("beta");
  ASSERT_EQ(beta.size(), 1u);
  EXPECT_EQ(beta[0].task(), model.name());

  EXPECT_EQ(journal_->head_sequence(), audit_before + 1);
  AuditLog& audit = core_->audit();
  dsr::v1::ListAuditEventsResponse events;
  ASSERT_OK(audit.ListAuditEvents(admin_, {}, &events));
  EXPECT_EQ(events.events().rbegin()->action(), "SubmitRequest");
  EXPECT_EQ(events.events().rbegin()->resource(), request.name());
  EXPECT_EQ(events.events().rbegin()->principal(), "anonymous");
  // The audit log names the request, never the person.
  for (const auto& e : events.events()) {
    EXPECT_EQ(e.DebugString().find("alice"), std::string::npos);
  }
}

TEST_F(SubmitTest, ReceiptOpensItsRequestOnly) {
  dsr::v1::SubmitRequestResponse first = Submit({H("acme", "raw")});
  dsr::v1::SubmitRequestResponse second = Submit({H("beta", "model")});
  dsr::v1::GetRequestRequest get;
  get.set_name(first.request().name());
  dsr::v1::GetRequestResponse read;
  ASSERT_OK(requests_->Get(ReceiptOf(first), get, &read));
  EXPECT_EQ(read.tasks_size(), 3);
  EXPECT_OK(requests_->Get(admin_, get, &read));
  EXPECT_CODE(requests_->Get(ReceiptOf(second), get, &read), StatusCode::kNotFound);
  EXPECT_CODE(requests_->Get(Principal::Actor("acme"), get, &read), StatusCode::kPermissionDenied);
  EXPECT_CODE(requests_->Get(Principal::Anonymous(), get, &read), StatusCode::kUnauthenticated);
  get.set_name("requests/doesnotexist");
  EXPECT_CODE(requests_->Get(admin_, get, &read), StatusCode::kNotFound);
  // A foreign request and a missing one look alike.
  get.set_name(first.request().name());
  absl::Status foreign = requests_->Get(ReceiptOf(second), get, &read);
  get.set_name("requests/doesnotexist");
  absl::Status missing = requests_->Get(ReceiptOf(second), get, &read);
  EXPECT_EQ(foreign, missing);
}

TEST_F(SubmitTest, AnActorAsTargetMeansItsActiveHoldings) {
  AddHolding("beta", "old");
  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(H("beta", "old"));
  dsr::v1::Holding h;
  ASSERT_OK(registry_->RetireHolding(admin_, retire, &h));
  AddHolding("beta", "other");
  dsr::v1::SubmitRequestResponse submitted = Submit({"actors/beta"});
  std::set<std::string> holdings;
  for (const auto& t : submitted.tasks()) {
    holdings.insert(t.holding());
    EXPECT_EQ(t.reason(), dsr::v1::Task::TARGET);
  }
  EXPECT_EQ(holdings, (std::set<std::string>{H("beta", "model"), H("beta", "other")}));
}

TEST_F(SubmitTest, CancelWithdrawsOpenTasksAndTellsTheHolders) {
  dsr::v1::SubmitRequestResponse submitted = Submit({H("acme", "raw")});
  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse cancelled;
  EXPECT_CODE(requests_->Cancel(Principal::Actor("acme"), cancel, &cancelled),
              StatusCode::kPermissionDenied);
  ASSERT_OK(requests_->Cancel(ReceiptOf(submitted), cancel, &cancelled));
  EXPECT_EQ(cancelled.request().state(), dsr::v1::Request::CANCELLED);
  EXPECT_EQ(cancelled.request().task_counts().cancelled(), 3);
  for (const auto& t : cancelled.tasks()) EXPECT_EQ(t.state(), dsr::v1::Task::CANCELLED);
  std::vector<storage::v1::InboxEventRecord> beta = InboxOf("beta");
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_EQ(beta[1].kind(), dsr::v1::InboxEvent::TASK_CANCELLED);
  EXPECT_EQ(beta[1].sequence(), 2u);
  EXPECT_CODE(requests_->Cancel(ReceiptOf(submitted), cancel, &cancelled),
              StatusCode::kFailedPrecondition);

  ReopenAll();
  dsr::v1::GetRequestRequest get;
  get.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse read;
  ASSERT_OK(requests_->Get(admin_, get, &read));
  EXPECT_EQ(read.request().state(), dsr::v1::Request::CANCELLED);
}

TEST_F(SubmitTest, AnAnsweredRequestCannotBeWithdrawn) {
  dsr::v1::SubmitRequestResponse submitted = Submit({H("beta", "model")});
  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(submitted.request().name());
  // Answer the only task by refusing it as its holder would.
  storage::v1::TaskRecord task;
  ASSERT_OK(store_->Get(storage::ColumnFamily::kTasks,
                        storage::keys::Task(submitted.request().name().substr(9), 1), &task));
  task.set_state(dsr::v1::Task::REFUSED);
  storage::WriteBatch batch = store_->NewWriteBatch();
  batch.Put(storage::ColumnFamily::kTasks,
            storage::keys::Task(task.request_id(), task.task_number()), task);
  ASSERT_OK(store_->Commit(batch));
  dsr::v1::GetRequestResponse out;
  EXPECT_CODE(requests_->Cancel(ReceiptOf(submitted), cancel, &out),
              StatusCode::kFailedPrecondition);
}

TEST_F(SubmitTest, SameRequestIdGivesTheSameRequestAndOneSetOfTasks) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::OBJECTION);
  auto* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::USERNAME);
  id->set_value("github:alice");
  request.mutable_request()->add_targets(H("acme", "raw"));
  request.set_request_id("4f1d-retry");
  // The receipt the person made and kept before the first call.
  const std::string kept = "dsr_receipt_" + std::string(43, 'K');
  request.set_receipt_token(kept);
  dsr::v1::SubmitRequestResponse first, second;
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &first));
  EXPECT_EQ(first.receipt_token(), kept);
  EXPECT_TRUE(ReceiptOf(first).HoldsReceipt(first.request().name().substr(9)));
  // A lost first response does not lock the person out: the retry, with
  // the same receipt, gets the same request.
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &second));
  EXPECT_EQ(first.request().name(), second.request().name());
  EXPECT_EQ(first.tasks_size(), second.tasks_size());
  EXPECT_EQ(second.receipt_token(), kept);
  // Whoever replays the key without the receipt gets nothing: not a
  // receipt, not the identifiers.
  dsr::v1::SubmitRequestRequest replay = request;
  replay.clear_receipt_token();
  dsr::v1::SubmitRequestResponse stolen;
  EXPECT_CODE(requests_->Submit(Principal::Anonymous(), replay, &stolen),
              StatusCode::kInvalidArgument);  // another request than the first
  replay.set_receipt_token("dsr_receipt_" + std::string(43, 'M'));
  EXPECT_CODE(requests_->Submit(Principal::Anonymous(), replay, &stolen),
              StatusCode::kInvalidArgument);
  EXPECT_TRUE(stolen.receipt_token().empty());
  EXPECT_EQ(stolen.request().subject_identifiers_size(), 0);
  int stored = 0;
  ASSERT_OK(store_->Scan(storage::ColumnFamily::kRequests, "", "",
                         [&](absl::string_view, absl::string_view) { return ++stored > 0; }));
  EXPECT_EQ(stored, 1);
  EXPECT_EQ(InboxOf("beta").size(), 1u);
}

TEST_F(SubmitTest, AnAnonymousRetryWithoutItsOwnReceiptGetsNoReceipt) {
  // A key replayed with the same request, made without a client receipt:
  // before, anyone who knew the key and the identifiers got a receipt, even
  // for a cancelled request.
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ACCESS);
  auto* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("victim@example.com");
  request.mutable_request()->add_targets(H("acme", "raw"));
  request.set_request_id("guessable-1");
  dsr::v1::SubmitRequestResponse first, replayed;
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &first));
  absl::Status refused = requests_->Submit(Principal::Anonymous(), request, &replayed);
  EXPECT_CODE(refused, StatusCode::kFailedPrecondition);
  EXPECT_TRUE(replayed.receipt_token().empty());
  EXPECT_EQ(replayed.request().subject_identifiers_size(), 0);
  // The admin's key space is its own: it may be reissued a receipt.
  request.set_request_id("admin-1");
  ASSERT_OK(requests_->Submit(admin_, request, &first));
  ASSERT_OK(requests_->Submit(admin_, request, &replayed));
  EXPECT_NE(replayed.receipt_token(), first.receipt_token());
  EXPECT_TRUE(ReceiptOf(replayed).HoldsReceipt(first.request().name().substr(9)));
}

TEST_F(SubmitTest, AClientReceiptMustBeLongRandomAndUnused) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  auto* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("someone@example.com");
  request.mutable_request()->add_targets(H("acme", "raw"));
  dsr::v1::SubmitRequestResponse response;
  for (const std::string& bad :
       {std::string("dsr_receipt_short"), std::string(55, 'a'),
        "dsr_receipt_" + std::string(42, 'a'), "dsr_receipt_" + std::string(43, '!'),
        "dsr_receipt_" + std::string(129, 'a')}) {
    request.set_receipt_token(bad);
    absl::Status refused = requests_->Submit(Principal::Anonymous(), request, &response);
    EXPECT_CODE(refused, StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.message().find(bad), std::string::npos);
  }
  request.set_receipt_token("dsr_receipt_" + std::string(43, 'u'));
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &response));
  EXPECT_CODE(requests_->Submit(Principal::Anonymous(), request, &response),
              StatusCode::kInvalidArgument);  // in use
}

TEST_F(SubmitTest, ValidationNamesFieldsAndNeverEchoesIdentifiers) {
  auto attempt = [&](const std::function<void(dsr::v1::SubmitRequestRequest&)>& mutate) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ACCESS);
    auto* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value("carol@example.org");
    request.mutable_request()->add_targets(H("acme", "raw"));
    mutate(request);
    dsr::v1::SubmitRequestResponse response;
    return requests_->Submit(Principal::Anonymous(), request, &response);
  };
  absl::Status s = attempt([](auto& r) {
    r.mutable_request()->mutable_subject_identifiers(0)->set_value("carol-secret-at-example");
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("request.subject_identifiers[0].value"), std::string::npos);
  EXPECT_EQ(s.message().find("carol"), std::string::npos);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->clear_type(); }),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->clear_subject_identifiers(); }),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->clear_targets(); }),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->set_targets(0, H("acme", "nope")); }),
              StatusCode::kNotFound);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->set_targets(0, "actors/nobody"); }),
              StatusCode::kNotFound);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->set_targets(0, "acme"); }),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->set_details(std::string(4097, 'd')); }),
              StatusCode::kInvalidArgument);
  EXPECT_OK(attempt([](auto& r) { r.mutable_request()->set_details(std::string(4096, 'd')); }));
  EXPECT_OK(attempt([](auto& r) {
    for (int i = 0; i < 31; ++i)
      *r.mutable_request()->add_subject_identifiers() = r.request().subject_identifiers(0);
  }));
  EXPECT_CODE(attempt([](auto& r) {
                for (int i = 0; i < 32; ++i)
                  *r.mutable_request()->add_subject_identifiers() =
                      r.request().subject_identifiers(0);
              }),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(attempt([](auto& r) {
                for (int i = 0; i < 64; ++i) r.mutable_request()->add_targets(H("acme", "raw"));
              }),
              StatusCode::kInvalidArgument);

  // Nothing active reached: refused rather than filed with no task.
  AddHolding("acme", "gone");
  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(H("acme", "gone"));
  dsr::v1::Holding h;
  ASSERT_OK(registry_->RetireHolding(admin_, retire, &h));
  EXPECT_CODE(attempt([](auto& r) { r.mutable_request()->set_targets(0, H("acme", "gone")); }),
              StatusCode::kFailedPrecondition);
}

TEST_F(SubmitTest, OverdueTasksAreFlaggedAndCounted) {
  dsr::v1::SubmitRequestResponse submitted = Submit({H("acme", "raw")});
  dsr::v1::GetRequestRequest get;
  get.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse read;
  clock_.Set(FromProtoTime(submitted.tasks(0).due_time()));
  ASSERT_OK(requests_->Get(admin_, get, &read));
  EXPECT_EQ(read.request().task_counts().overdue(), 0);  // due, not yet past
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK(requests_->Get(admin_, get, &read));
  EXPECT_EQ(read.request().task_counts().overdue(), 3);
  EXPECT_TRUE(read.tasks(0).overdue());
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

// More tasks than a page: SubmitRequest returns the first page and a token,
// GetRequest pages through every task once, and counts cover them all.
TEST_F(SubmitTest, TasksComeInPages) {
  Limits small;
  small.max_page_size = 3;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Requests> paged, Requests::Create(OptionsLikeCore(small)));
  AddActor("many");
  const std::string root = AddHolding("many", "root");
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(Link(AddHolding("many", "copy" + std::to_string(i)), root));
  }
  dsr::v1::SubmitRequestRequest submit;
  submit.mutable_request()->set_type(dsr::v1::ERASURE);
  dsr::v1::SubjectIdentifier* id = submit.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("paged@example.com");
  submit.mutable_request()->add_targets(root);
  dsr::v1::SubmitRequestResponse filed;
  ASSERT_OK(paged->Submit(Principal::Anonymous(), submit, &filed));
  EXPECT_EQ(filed.tasks_size(), 3);
  EXPECT_EQ(filed.request().task_counts().open(), 7);
  EXPECT_FALSE(filed.next_page_token().empty());

  std::vector<std::string> seen;
  dsr::v1::GetRequestRequest get;
  get.set_name(filed.request().name());
  get.set_page_size(2);
  int pages = 0;
  do {
    dsr::v1::GetRequestResponse page;
    ASSERT_OK(paged->Get(admin_, get, &page));
    for (const auto& task : page.tasks()) seen.push_back(task.name());
    get.set_page_token(page.next_page_token());
    ++pages;
  } while (!get.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(seen.size(), 7u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], filed.request().name() + "/tasks/" + std::to_string(i + 1));
  }

  dsr::v1::GetRequestResponse page;
  get.set_page_size(4);
  EXPECT_CODE(paged->Get(admin_, get, &page), absl::StatusCode::kInvalidArgument);  // > max
  get.set_page_size(0);
  get.set_page_token("not-a-token");
  EXPECT_CODE(paged->Get(admin_, get, &page), absl::StatusCode::kInvalidArgument);
  // A token is good for its own request only.
  dsr::v1::SubmitRequestResponse other;
  ASSERT_OK(paged->Submit(Principal::Anonymous(), submit, &other));
  get.set_name(other.request().name());
  get.set_page_token(filed.next_page_token());
  EXPECT_CODE(paged->Get(admin_, get, &page), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

// The per-person limit counts from one client address: a refusal tells the
// caller nothing about requests filed elsewhere, and nobody can use up a
// stranger's allowance from another address.
TEST_F(SubmitTest, ThePerPersonLimitCountsOneAddressesRequests) {
  RateLimiter per_subject(&clock_, RateLimit{/*per_second=*/1.0 / 3600, /*burst=*/1});
  RequestsOptions options = OptionsLikeCore(limits_);
  options.submits_per_subject = &per_subject;
  absl::StatusOr<std::unique_ptr<Requests>> limited = Requests::Create(options);
  ASSERT_OK(limited);
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("victim@example.com");
  request.mutable_request()->add_targets(H("acme", "raw"));
  dsr::v1::SubmitRequestResponse response;
  const Principal mallory = Principal::Anonymous().WithClientAddress("ipv4:192.0.2.66");
  const Principal victim = Principal::Anonymous().WithClientAddress("ipv4:198.51.100.7");
  ASSERT_OK((*limited)->Submit(mallory, request, &response));
  absl::Status refused = (*limited)->Submit(mallory, request, &response);
  EXPECT_CODE(refused, StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(refused.message(), "too many requests; retry in"));
  // Mallory's two calls cost the person nothing from their own address.
  EXPECT_OK((*limited)->Submit(victim, request, &response));
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

// TARGET_ONLY names the targets alone: a retired one gets no task, even as a
// target, and a request that names only retired holdings reaches none.
TEST_F(SubmitTest, TargetOnlyGivesARetiredTargetNoTask) {
  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(H("acme", "raw"));
  dsr::v1::Holding retired;
  ASSERT_OK(registry_->RetireHolding(admin_, retire, &retired));
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  auto* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("someone@example.com");
  request.mutable_request()->set_lineage_scope(dsr::v1::Request::TARGET_ONLY);
  request.mutable_request()->add_targets(H("acme", "raw"));
  dsr::v1::SubmitRequestResponse response;
  EXPECT_CODE(requests_->Submit(Principal::Anonymous(), request, &response),
              StatusCode::kFailedPrecondition);
  request.mutable_request()->add_targets(H("beta", "model"));
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &response));
  ASSERT_EQ(response.tasks_size(), 1);
  EXPECT_EQ(response.tasks(0).holding(), H("beta", "model"));
}

}  // namespace
}  // namespace dsr::broker
