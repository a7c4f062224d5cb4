// The broker's key files at start: made for a new database, kept with mode
// 0600, and a missing or replaced file refused once the database holds data.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "broker/server/broker_server.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::testing {
namespace {

class KeyFilesTest : public ::testing::Test {
 protected:
  KeyFilesTest() {
    options_.listen = "127.0.0.1:0";
    options_.data_dir = dir_.Sub("data");
    options_.master_key_file = dir_.Sub("keys/master_key");
    options_.pepper_file = dir_.Sub("keys/pepper");
  }
  absl::Status StartAndStop() {
    absl::StatusOr<std::unique_ptr<broker::BrokerServer>> server =
        broker::BrokerServer::Start(options_);
    return server.status();
  }
  static void Replace(const std::string& path, char digit) {
    std::filesystem::remove(path);
    std::ofstream(path) << std::string(64, digit) << "\n";
    ::chmod(path.c_str(), 0600);
  }
  TempDir dir_;
  broker::BrokerServerOptions options_;
};

TEST_F(KeyFilesTest, MadeForANewDatabaseThenRequiredAndChecked) {
  ASSERT_OK(StartAndStop());
  for (const std::string& file : {options_.master_key_file, options_.pepper_file}) {
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
  ASSERT_OK(StartAndStop());  // the same files again

  const std::string master = dir_.Sub("master_key.saved");
  std::filesystem::copy_file(options_.master_key_file, master);
  std::filesystem::remove(options_.master_key_file);
  absl::Status missing = StartAndStop();
  EXPECT_CODE(missing, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("missing"), std::string::npos) << missing;
  EXPECT_FALSE(std::filesystem::exists(options_.master_key_file));  // not made anew

  Replace(options_.master_key_file, 'a');
  absl::Status replaced = StartAndStop();
  EXPECT_CODE(replaced, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(replaced.message().find("master key file does not match"), std::string::npos)
      << replaced;

  std::filesystem::remove(options_.master_key_file);
  std::filesystem::copy_file(master, options_.master_key_file);
  const std::string pepper = dir_.Sub("pepper.saved");
  std::filesystem::copy_file(options_.pepper_file, pepper);
  Replace(options_.pepper_file, 'b');
  EXPECT_CODE(StartAndStop(), absl::StatusCode::kFailedPrecondition);
  std::filesystem::remove(options_.pepper_file);
  std::filesystem::copy_file(pepper, options_.pepper_file);
  EXPECT_OK(StartAndStop());
}

}  // namespace
}  // namespace dsr::testing
