#include "broker/inbox/inbox.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

class AccessReportTest : public RequestsTest {
 protected:
  AccessReportTest() {
    AddActor("acme");
    AddActor("beta");
    source_ = AddHolding("acme", "source");
    copy_ = AddHolding("beta", "copy");
    EXPECT_OK(Link(copy_, source_));
    dsr::v1::UpdateHoldingRequest update;
    update.mutable_holding()->set_name(copy_);
    update.mutable_holding()->set_purposes("training a translation model");
    update.mutable_holding()->add_data_categories("forum posts");
    update.mutable_holding()->set_retention("until the next release");
    dsr::v1::Holding h;
    EXPECT_OK(registry_->UpdateHolding(admin_, update, &h));
  }
  absl::Status Complete(const std::string& actor, const std::string& task, dsr::v1::Outcome outcome,
                        const dsr::v1::AccessReport* report) {
    dsr::v1::CompleteTaskRequest complete;
    complete.set_name(task);
    complete.set_outcome(outcome);
    if (report != nullptr) *complete.mutable_access_report() = *report;
    dsr::v1::Task done;
    return tasks_->Complete(Principal::Actor(actor), complete, &done);
  }
  std::string source_, copy_;
};

TEST_F(AccessReportTest, HoldersReportsAreCompletedFromTheRegisterAndLineageAndMerged) {
  dsr::v1::SubmitRequestResponse access =
      Submit({source_}, dsr::v1::Request::DOWNSTREAM, dsr::v1::ACCESS);
  ASSERT_EQ(access.tasks_size(), 2);
  dsr::v1::AccessReport report;
  report.set_purposes("publishing a research corpus");
  report.add_data_categories("email address");
  report.add_recipients("a university partner");
  report.mutable_inline_copy()->set_data("{\"email\":\"alice@example.com\"}");
  report.mutable_inline_copy()->set_media_type("application/json");
  EXPECT_CODE(Complete("acme", access.tasks(0).name(), dsr::v1::ACCESS_PROVIDED, nullptr),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(Complete("acme", access.tasks(0).name(), dsr::v1::NO_DATA_FOUND, &report),
              StatusCode::kInvalidArgument);
  ASSERT_OK(Complete("acme", access.tasks(0).name(), dsr::v1::ACCESS_PROVIDED, &report));

  dsr::v1::GetAccessReportRequest get;
  get.set_name(access.request().name());
  dsr::v1::GetAccessReportResponse merged;
  EXPECT_CODE(requests_->GetAccessReport(Principal::Actor("acme"), get, &merged),
              StatusCode::kPermissionDenied);
  ASSERT_OK(requests_->GetAccessReport(ReceiptOf(access), get, &merged));
  ASSERT_EQ(merged.holder_reports_size(), 2);

  const dsr::v1::HolderReport& acme = merged.holder_reports(0);
  EXPECT_EQ(acme.outcome(), dsr::v1::ACCESS_PROVIDED);
  EXPECT_EQ(acme.report().inline_copy().media_type(), "application/json");
  // The holder named one recipient; the lineage adds the copy made from it.
  EXPECT_EQ(acme.report().recipients_size(), 2);
  EXPECT_EQ(acme.report().recipients(1), copy_);

  // beta has not answered: the broker tells where the data came from, but
  // does not claim beta holds any.
  const dsr::v1::HolderReport& beta = merged.holder_reports(1);
  EXPECT_EQ(beta.state(), dsr::v1::Task::OPEN);
  EXPECT_TRUE(beta.report().purposes().empty());
  EXPECT_EQ(beta.report().data_categories_size(), 0);
  ASSERT_EQ(beta.report().sources_size(), 1);
  EXPECT_EQ(beta.report().sources(0), source_);

  const dsr::v1::AccessReport& all = merged.merged();
  EXPECT_EQ(all.data_categories_size(), 1);  // email address
  EXPECT_EQ(all.sources_size(), 1);
  EXPECT_NE(all.purposes().find("publishing a research corpus"), std::string::npos);

  // Once beta provides access without details, the register fills them in.
  dsr::v1::AccessReport terse;
  terse.set_copy_url("https://beta.example/exports/123");
  ASSERT_OK(Complete("beta", access.tasks(1).name(), dsr::v1::ACCESS_PROVIDED, &terse));
  dsr::v1::GetAccessReportResponse later;
  ASSERT_OK(requests_->GetAccessReport(admin_, get, &later));
  EXPECT_EQ(later.holder_reports(1).report().purposes(), "training a translation model");
  EXPECT_EQ(later.holder_reports(1).report().retention(), "until the next release");
  EXPECT_EQ(later.merged().data_categories_size(), 2);  // email address, forum posts

  ReopenAll();
  dsr::v1::GetAccessReportResponse again;
  ASSERT_OK(requests_->GetAccessReport(admin_, get, &again));
  EXPECT_EQ(again.holder_reports(0).report().inline_copy().data(),
            "{\"email\":\"alice@example.com\"}");
}

TEST_F(AccessReportTest, PortabilityNeedsACopyAndReportsStayWithinTheLimit) {
  dsr::v1::SubmitRequestResponse port =
      Submit({source_}, dsr::v1::Request::TARGET_ONLY, dsr::v1::PORTABILITY);
  dsr::v1::AccessReport report;
  report.set_purposes("x");
  EXPECT_CODE(Complete("acme", port.tasks(0).name(), dsr::v1::ACCESS_PROVIDED, &report),
              StatusCode::kInvalidArgument);
  report.mutable_inline_copy()->set_data(std::string((1 << 20) + 1, 'x'));
  report.mutable_inline_copy()->set_media_type("text/csv");
  EXPECT_CODE(Complete("acme", port.tasks(0).name(), dsr::v1::ACCESS_PROVIDED, &report),
              StatusCode::kInvalidArgument);
  report.mutable_inline_copy()->set_data(std::string(1 << 19, 'x'));
  EXPECT_OK(Complete("acme", port.tasks(0).name(), dsr::v1::ACCESS_PROVIDED, &report));

  dsr::v1::SubmitRequestResponse erasure = Submit({source_});
  dsr::v1::GetAccessReportRequest get;
  get.set_name(erasure.request().name());
  dsr::v1::GetAccessReportResponse merged;
  EXPECT_CODE(requests_->GetAccessReport(admin_, get, &merged), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dsr::broker
