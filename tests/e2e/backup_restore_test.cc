// End-to-end: `dsr admin backup create` against a running dsr-broker started
// with --backup_dir, then `dsr-broker --restore_from` into a new data
// directory serves what the backup holds; a restore over an existing
// database, or without the key files, stops with a clear message.

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/e2e_calls.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::testing {
namespace {

namespace fs = std::filesystem;

// Runs the `dsr` command line with `args`; returns its exit code and puts
// what it printed (stdout and stderr) in `*output`.
int RunDsr(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> full = {DSR_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  return RunProgram(full, output);
}

class BackupRestoreTest : public ::testing::Test {
 protected:
  void Connect(const BrokerProcess& broker) {
    address_ = broker.address();
    registry_ = dsr::v1::RegistryService::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }

  // `dsr --broker ADDRESS --token ADMIN args...`
  int Dsr(const std::vector<std::string>& args, const std::string& admin, std::string* output) {
    std::vector<std::string> full = {"--broker", address_, "--token", admin};
    full.insert(full.end(), args.begin(), args.end());
    return RunDsr(full, output);
  }

  grpc::StatusCode GetHolding(const std::string& id) {
    dsr::v1::GetHoldingRequest request;
    request.set_name("actors/acme/holdings/" + id);
    dsr::v1::Holding holding;
    return registry_->GetHolding(Context().get(), request, &holding).error_code();
  }

  grpc::Status CreateHolding(const std::string& token, const std::string& id) {
    return testing::CreateHolding(*registry_, token, "acme", id);
  }

  // The original broker's key files and admin token, copied into `to`.
  void CopyKeyFiles(const std::string& to, const std::vector<std::string>& files) {
    fs::create_directories(to);
    for (const std::string& file : files) {
      fs::copy_file(fs::path(data_) / file, fs::path(to) / file);
      ::chmod((fs::path(to) / file).c_str(), 0600);
    }
  }

  TempDir dir_;
  const std::string data_ = dir_.Sub("data");
  const std::string backups_ = dir_.Sub("backups");
  std::string address_;
  std::unique_ptr<dsr::v1::RegistryService::Stub> registry_;
};

TEST_F(BackupRestoreTest, ABackupTakenWithTheCliIsRestoredIntoANewDataDirectory) {
  std::string admin;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker,
                         BrokerProcess::Start(data_, {"--backup_dir", backups_}));
    Connect(*broker);
    admin = ReadAdminToken(data_);
    std::string token;
    ASSERT_TRUE(CreateActor(*registry_, admin, "acme", &token).ok());
    ASSERT_TRUE(CreateHolding(token, "before-backup").ok());

    std::string output;
    ASSERT_EQ(Dsr({"admin", "backup", "create"}, admin, &output), 0) << output;
    EXPECT_TRUE(absl::StartsWith(output, "Backup 1 taken ")) << output;
    output.clear();
    ASSERT_EQ(Dsr({"admin", "backup", "list"}, admin, &output), 0) << output;
    EXPECT_TRUE(absl::StrContains(output, "ID  TAKEN")) << output;
    output.clear();
    ASSERT_EQ(Dsr({"admin", "backup", "verify", "1"}, admin, &output), 0) << output;
    EXPECT_TRUE(absl::StrContains(output, "Backup 1 is intact")) << output;
    output.clear();
    EXPECT_EQ(Dsr({"admin", "backup", "verify", "2"}, admin, &output), 1) << output;

    ASSERT_TRUE(CreateHolding(token, "after-backup").ok());
    broker->Signal(SIGTERM);
    ASSERT_EQ(broker->Wait(), 0) << broker->Output();
  }

  // Over the original database: refused, nothing touched.
  std::string output;
  EXPECT_EQ(
      BrokerProcess::RunToExit(
          {"--listen", "127.0.0.1:0", "--data_dir", data_, "--restore_from", backups_}, &output),
      1);
  EXPECT_TRUE(absl::StrContains(output, "--restore_from")) << output;
  EXPECT_TRUE(absl::StrContains(output, "is not empty: refusing to restore over it")) << output;

  // Without the key files: restored, but the broker does not start.
  const std::string keyless = dir_.Sub("keyless");
  output.clear();
  EXPECT_EQ(
      BrokerProcess::RunToExit(
          {"--listen", "127.0.0.1:0", "--data_dir", keyless, "--restore_from", backups_}, &output),
      1);
  EXPECT_TRUE(absl::StrContains(output, "master key file")) << output;
  EXPECT_TRUE(absl::StrContains(output, "is missing")) << output;

  // With them: serves what the backup holds, and nothing after it.
  const std::string restored = dir_.Sub("restored");
  CopyKeyFiles(restored, {"master_key", "pepper", "admin_token"});
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<BrokerProcess> broker,
      BrokerProcess::Start(restored, {"--restore_from", backups_, "--restore_backup_id", "1",
                                      "--backup_dir", backups_}));
  EXPECT_TRUE(absl::StrContains(broker->Output(), "restored backup 1")) << broker->Output();
  Connect(*broker);
  EXPECT_EQ(GetHolding("before-backup"), grpc::StatusCode::OK);
  EXPECT_EQ(GetHolding("after-backup"), grpc::StatusCode::NOT_FOUND);
  output.clear();
  EXPECT_EQ(Dsr({"admin", "audit", "verify"}, admin, &output), 0) << output;
  // It takes backups into the same directory, after the one it came from.
  output.clear();
  ASSERT_EQ(Dsr({"admin", "backup", "create"}, admin, &output), 0) << output;
  EXPECT_TRUE(absl::StartsWith(output, "Backup 2 taken ")) << output;
  broker->Signal(SIGTERM);
  EXPECT_EQ(broker->Wait(), 0) << broker->Output();
}

}  // namespace
}  // namespace dsr::testing
