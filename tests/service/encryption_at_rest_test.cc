// A person's identifiers, details and access report travel through a whole
// request (submission, the holder's inbox and answer, the report, errors);
// afterwards the database is compacted and no file under the data directory,
// and no line the broker logged, holds any of them.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker/base/log.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "storage/rocksdb_store.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/status_matchers.h"

namespace dsr::testing {
namespace {

constexpr char kCanaryEmail[] = "canary.zq81@example.org";
constexpr char kCanaryDetails[] = "canary-details-zq81";
constexpr char kCanaryReport[] = "canary-report-zq81";
// Stored in the clear on purpose (the register is public): proves the file
// scan can see stored strings at all, compression and compaction included.
constexpr char kControlTitle[] = "control-title-zq81";

bool FileContains(const std::filesystem::path& file, absl::string_view needle) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str().find(std::string(needle)) != std::string::npos;
}

class EncryptionAtRestTest : public BrokerFixture {};

TEST_F(EncryptionAtRestTest, CanaryIsInNoFileAndNoLogLine) {
  ::testing::internal::CaptureStderr();
  broker::LogInfo("capture check");  // the broker's log reaches the capture
  const std::string token = CreateActor("acme");
  const std::string source = CreateHolding(token, "acme", "source");
  dsr::v1::UpdateHoldingRequest update;
  update.mutable_holding()->set_name(source);
  update.mutable_holding()->set_title(kControlTitle);
  update.mutable_update_mask()->add_paths("title");
  dsr::v1::Holding holding;
  ASSERT_TRUE(registry_->UpdateHolding(Context(token).get(), update, &holding).ok());

  auto requests = dsr::v1::RequestService::NewStub(channel_);
  auto inbox = dsr::v1::InboxService::NewStub(channel_);
  dsr::v1::SubmitRequestRequest submit;
  submit.mutable_request()->set_type(dsr::v1::ACCESS);
  dsr::v1::SubjectIdentifier* id = submit.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value(kCanaryEmail);
  submit.mutable_request()->set_details(kCanaryDetails);
  submit.mutable_request()->add_targets(source);
  dsr::v1::SubmitRequestResponse submitted;
  ASSERT_TRUE(requests->SubmitRequest(Context().get(), submit, &submitted).ok());

  // Refused inputs that carry the canary are not echoed or logged either.
  dsr::v1::SubmitRequestRequest bad = submit;
  bad.mutable_request()->mutable_subject_identifiers(0)->set_type(
      dsr::v1::SubjectIdentifier::PHONE);
  dsr::v1::SubmitRequestResponse refused;
  grpc::Status status = requests->SubmitRequest(Context().get(), bad, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().find("zq81"), std::string::npos);

  // The holder reads it from the inbox and answers with a report.
  dsr::v1::StreamInboxRequest stream_request;
  auto stream_context = Context(token);
  auto reader = inbox->StreamInbox(stream_context.get(), stream_request);
  dsr::v1::InboxEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.task().subject_identifiers(0).value(), kCanaryEmail);
  stream_context->TryCancel();
  reader->Finish();
  dsr::v1::CompleteTaskRequest complete;
  complete.set_name(event.task().name());
  complete.set_outcome(dsr::v1::ACCESS_PROVIDED);
  complete.mutable_access_report()->set_purposes(kCanaryReport);
  dsr::v1::Task done;
  ASSERT_TRUE(inbox->CompleteTask(Context(token).get(), complete, &done).ok());
  dsr::v1::GetAccessReportRequest get_report;
  get_report.set_name(submitted.request().name());
  dsr::v1::GetAccessReportResponse report;
  ASSERT_TRUE(
      requests->GetAccessReport(Context(submitted.receipt_token()).get(), get_report, &report)
          .ok());
  EXPECT_EQ(report.holder_reports(0).report().purposes(), kCanaryReport);

  // Stop, then flush and compact everything into table files.
  registry_.reset();
  channel_.reset();
  server_->Shutdown(absl::Seconds(5));
  server_.reset();
  {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::RocksDbStore> store,
                         storage::RocksDbStore::Open(options));
    ASSERT_OK(store->CompactAll());
  }
  const std::string logged = ::testing::internal::GetCapturedStderr();

  int files = 0;
  bool control_found = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    control_found = control_found || FileContains(entry.path(), kControlTitle);
    for (const char* canary : {kCanaryEmail, kCanaryDetails, kCanaryReport}) {
      EXPECT_FALSE(FileContains(entry.path(), canary)) << canary << " in " << entry.path();
    }
    EXPECT_FALSE(FileContains(entry.path(), "zq81@")) << entry.path();
  }
  EXPECT_GT(files, 3);
  EXPECT_TRUE(control_found) << "the scan cannot see stored strings";
  EXPECT_NE(logged.find("capture check"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("zq81"), std::string::npos) << logged;
}

}  // namespace
}  // namespace dsr::testing
