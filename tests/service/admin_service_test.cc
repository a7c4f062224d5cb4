// AdminService over gRPC: backups taken, listed and verified by the admin,
// each one recorded in the audit chain; what happens without a backup
// directory, with a bad name, with a retried request_id and with a damaged
// backup.

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "dsr/v1/admin_service.grpc.pb.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "storage/rocksdb_store.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/full_disk_fs.h"

namespace dsr::testing {
namespace {

namespace fs = std::filesystem;

class AdminServiceTest : public BrokerFixture {
 protected:
  AdminServiceTest()
      : BrokerFixture([this](broker::BrokerServerOptions& options) {
          options.backup_dir = dir_.Sub("backups");
        }) {}

  void SetUp() override {
    admin_ = dsr::v1::AdminService::NewStub(channel_);
    audit_ = dsr::v1::AuditService::NewStub(channel_);
  }

  grpc::Status Create(dsr::v1::Backup* backup, const std::string& request_id = "") {
    dsr::v1::CreateBackupRequest request;
    request.set_request_id(request_id);
    return admin_->CreateBackup(AdminContext().get(), request, backup);
  }

  grpc::Status Verify(const std::string& name, dsr::v1::VerifyBackupResponse* response) {
    dsr::v1::VerifyBackupRequest request;
    request.set_name(name);
    return admin_->VerifyBackup(AdminContext().get(), request, response);
  }

  std::vector<dsr::v1::AuditEvent> AuditEvents() {
    dsr::v1::ListAuditEventsRequest request;
    request.set_page_size(1000);
    dsr::v1::ListAuditEventsResponse response;
    grpc::Status status = audit_->ListAuditEvents(AdminContext().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.events().begin(), response.events().end()};
  }

  std::unique_ptr<dsr::v1::AdminService::Stub> admin_;
  std::unique_ptr<dsr::v1::AuditService::Stub> audit_;
};

TEST_F(AdminServiceTest, BackupsAreTakenListedVerifiedAndAudited) {
  CreateActor("acme");
  dsr::v1::Backup first;
  grpc::Status status = Create(&first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(first.name(), "backups/1");
  EXPECT_EQ(first.backup_id(), 1u);
  EXPECT_GT(first.file_count(), 0u);
  EXPECT_GT(first.size_bytes(), 0u);
  EXPECT_GT(first.create_time().seconds(), 0);
  // Each backup is in the audit chain, after what it holds.
  std::vector<dsr::v1::AuditEvent> events = AuditEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action(), "CreateActor");
  EXPECT_EQ(events[1].action(), "CreateBackup");
  EXPECT_EQ(events[1].resource(), "backups/1");
  EXPECT_EQ(events[1].principal(), "admin");

  dsr::v1::Backup second;
  ASSERT_TRUE(Create(&second).ok());
  EXPECT_EQ(second.name(), "backups/2");

  dsr::v1::ListBackupsResponse all;
  ASSERT_TRUE(admin_->ListBackups(AdminContext().get(), {}, &all).ok());
  ASSERT_EQ(all.backups_size(), 2);
  EXPECT_EQ(all.backups(0).name(), "backups/1");
  EXPECT_EQ(all.backups(0).file_count(), first.file_count());
  EXPECT_EQ(all.backups(1).name(), "backups/2");
  EXPECT_TRUE(all.next_page_token().empty());

  // One at a time.
  dsr::v1::ListBackupsRequest paged;
  paged.set_page_size(1);
  dsr::v1::ListBackupsResponse page;
  ASSERT_TRUE(admin_->ListBackups(AdminContext().get(), paged, &page).ok());
  ASSERT_EQ(page.backups_size(), 1);
  EXPECT_EQ(page.backups(0).name(), "backups/1");
  ASSERT_FALSE(page.next_page_token().empty());
  paged.set_page_token(page.next_page_token());
  page.Clear();
  ASSERT_TRUE(admin_->ListBackups(AdminContext().get(), paged, &page).ok());
  ASSERT_EQ(page.backups_size(), 1);
  EXPECT_EQ(page.backups(0).name(), "backups/2");
  EXPECT_TRUE(page.next_page_token().empty());

  dsr::v1::VerifyBackupResponse verified;
  ASSERT_TRUE(Verify("backups/1", &verified).ok());
  EXPECT_TRUE(verified.intact());
  EXPECT_TRUE(verified.problem().empty());
  EXPECT_EQ(verified.backup().name(), "backups/1");
  EXPECT_EQ(verified.backup().size_bytes(), first.size_bytes());
}

TEST_F(AdminServiceTest, AnUnknownOrMalformedNameIsRefused) {
  dsr::v1::Backup backup;
  ASSERT_TRUE(Create(&backup).ok());
  dsr::v1::VerifyBackupResponse response;
  EXPECT_EQ(Verify("backups/9", &response).error_code(), grpc::StatusCode::NOT_FOUND);
  for (const char* bad : {"", "backups/", "backups/0", "backups/01", "backups/x", "backup/1",
                          "backups/1/x", "backups/99999999999", "backups/+1"}) {
    grpc::Status status = Verify(bad, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_TRUE(absl::StrContains(status.error_message(), "name")) << status.error_message();
  }
  dsr::v1::ListBackupsRequest request;
  request.set_page_token("not-a-token");
  dsr::v1::ListBackupsResponse list;
  EXPECT_EQ(admin_->ListBackups(AdminContext().get(), request, &list).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AdminServiceTest, ARetryWithTheSameRequestIdReturnsTheFirstBackup) {
  dsr::v1::Backup first, retried, other;
  ASSERT_TRUE(Create(&first, "nightly-2026-01-01").ok());
  ASSERT_TRUE(Create(&retried, "nightly-2026-01-01").ok());
  EXPECT_EQ(retried.name(), first.name());
  EXPECT_EQ(retried.size_bytes(), first.size_bytes());
  ASSERT_TRUE(Create(&other, "nightly-2026-01-02").ok());
  EXPECT_EQ(other.name(), "backups/2");
  dsr::v1::ListBackupsResponse all;
  ASSERT_TRUE(admin_->ListBackups(AdminContext().get(), {}, &all).ok());
  EXPECT_EQ(all.backups_size(), 2);
  int audited = 0;
  for (const dsr::v1::AuditEvent& event : AuditEvents()) {
    audited += event.action() == "CreateBackup" ? 1 : 0;
  }
  EXPECT_EQ(audited, 2);
  EXPECT_EQ(Create(&other, "bad id!").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AdminServiceTest, ADamagedBackupIsReportedInTheResponse) {
  CreateActor("acme");
  dsr::v1::Backup backup;
  ASSERT_TRUE(Create(&backup).ok());
  fs::path table;
  for (const auto& entry : fs::recursive_directory_iterator(dir_.Sub("backups"))) {
    if (entry.path().extension() == ".sst") table = entry.path();
  }
  ASSERT_FALSE(table.empty());
  fs::resize_file(table, fs::file_size(table) - 1);
  dsr::v1::VerifyBackupResponse response;
  grpc::Status status = Verify("backups/1", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.intact());
  EXPECT_TRUE(absl::StrContains(response.problem(), table.filename().string()))
      << response.problem();
  EXPECT_EQ(response.backup().name(), "backups/1");
}

TEST_F(AdminServiceTest, OnlyTheAdminMayCallAndAnActorLearnsNothing) {
  const std::string token = CreateActor("acme");
  dsr::v1::Backup backup;
  EXPECT_EQ(admin_->CreateBackup(Context(token).get(), {}, &backup).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(admin_->CreateBackup(Context().get(), {}, &backup).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  dsr::v1::ListBackupsResponse list;
  EXPECT_EQ(admin_->ListBackups(Context(token).get(), {}, &list).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(fs::exists(dir_.Sub("backups/meta/1")));
}

// The fixture as is: no backup directory.
class AdminServiceWithoutBackupsTest : public BrokerFixture {};

TEST_F(AdminServiceWithoutBackupsTest, EveryCallIsAFailedPreconditionNamingTheFlag) {
  auto admin = dsr::v1::AdminService::NewStub(channel_);
  dsr::v1::Backup backup;
  grpc::Status created = admin->CreateBackup(AdminContext().get(), {}, &backup);
  EXPECT_EQ(created.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(created.error_message(), "--backup_dir"))
      << created.error_message();
  dsr::v1::ListBackupsResponse list;
  EXPECT_EQ(admin->ListBackups(AdminContext().get(), {}, &list).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  dsr::v1::VerifyBackupRequest verify;
  verify.set_name("backups/1");
  dsr::v1::VerifyBackupResponse verified;
  EXPECT_EQ(admin->VerifyBackup(AdminContext().get(), verify, &verified).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Nothing was audited.
  auto audit = dsr::v1::AuditService::NewStub(channel_);
  dsr::v1::VerifyAuditLogResponse log;
  ASSERT_TRUE(audit->VerifyAuditLog(AdminContext().get(), {}, &log).ok());
  EXPECT_EQ(log.event_count(), 0u);
  // Other callers learn only that the method is not theirs.
  EXPECT_EQ(admin->CreateBackup(Context(CreateActor("acme")).get(), {}, &backup).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(admin->ListBackups(Context().get(), {}, &list).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// Made before the broker (a base class initialised first), which opens its
// store on it.
struct FullDisk {
  std::shared_ptr<FullDiskFileSystem> fs = std::make_shared<FullDiskFileSystem>();
};

class AdminServiceFullDiskTest : private FullDisk, public BrokerFixture {
 protected:
  AdminServiceFullDiskTest()
      : BrokerFixture([this, fs = fs](broker::BrokerServerOptions& options) {
          options.backup_dir = dir_.Sub("backups");
          options.configure_store = [fs](storage::StoreOptions& store) {
            store.env = FullDiskFileSystem::EnvOver(fs);
          };
        }) {}

  std::shared_ptr<FullDiskFileSystem> disk() { return fs; }
};

// A store that cannot write could not audit a backup: none is kept (none is
// taken, or it is deleted again).
TEST_F(AdminServiceFullDiskTest, NoBackupIsKeptWhileTheStoreCannotWrite) {
  CreateActor("acme");
  disk()->SetFull(true);
  dsr::v1::CreateActorRequest refused;
  refused.set_actor_id("refused");
  refused.mutable_actor()->set_display_name("Refused");
  refused.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  refused.mutable_actor()->set_contact_email("dpo@refused.example");
  dsr::v1::CreateActorResponse made;
  EXPECT_EQ(registry_->CreateActor(AdminContext().get(), refused, &made).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  disk()->SetFull(false);  // the failed log write still needs a restart

  auto admin = dsr::v1::AdminService::NewStub(channel_);
  dsr::v1::Backup backup;
  EXPECT_EQ(admin->CreateBackup(AdminContext().get(), {}, &backup).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  Restart();
  admin = dsr::v1::AdminService::NewStub(channel_);
  dsr::v1::ListBackupsResponse listed;
  ASSERT_TRUE(admin->ListBackups(AdminContext().get(), {}, &listed).ok());
  EXPECT_EQ(listed.backups_size(), 0);
  grpc::Status taken = admin->CreateBackup(AdminContext().get(), {}, &backup);
  EXPECT_TRUE(taken.ok()) << taken.error_message();
  EXPECT_EQ(backup.backup_id(), 1u);
}

TEST(AdminServiceStartTest, AnUnusableBackupDirectoryStopsTheStartNamingTheFlag) {
  TempDir dir;
  std::ofstream(dir.Sub("a-file")) << "not a directory";
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  options.backup_dir = dir.Sub("a-file/backups");
  absl::StatusOr<std::unique_ptr<broker::BrokerServer>> server =
      broker::BrokerServer::Start(options);
  // Not UNAVAILABLE: dsr-broker retries a restart that fails so.
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(server.status().message(), "--backup_dir")) << server.status();
}

}  // namespace
}  // namespace dsr::testing
