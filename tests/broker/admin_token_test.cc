#include "broker/access/admin_token.h"

#include <sys/stat.h>

#include <fstream>

#include "broker/base/tokens.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::broker {
namespace {

TEST(AdminTokenTest, CreatesPrivateFileOnceThenReadsIt) {
  testing::TempDir dir;
  const std::string path = dir.Sub("sub/admin_token");
  ASSERT_OK_AND_ASSIGN(AdminToken first, LoadOrCreateAdminToken(path));
  EXPECT_TRUE(first.created);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  EXPECT_EQ(first.digest, Sha256(token));

  ASSERT_OK_AND_ASSIGN(AdminToken second, LoadOrCreateAdminToken(path));
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.digest, first.digest);
}

TEST(AdminTokenTest, RefusesFilesOthersCanRead) {
  testing::TempDir dir;
  const std::string path = dir.Sub("admin_token");
  std::ofstream(path) << "dsr_admin_secret\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_CODE(LoadOrCreateAdminToken(path), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_OK_AND_ASSIGN(AdminToken loaded, LoadOrCreateAdminToken(path));
  EXPECT_EQ(loaded.digest, Sha256("dsr_admin_secret"));
}

TEST(AdminTokenTest, RefusesEmptyFile) {
  testing::TempDir dir;
  const std::string path = dir.Sub("admin_token");
  std::ofstream(path) << "\n";
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_CODE(LoadOrCreateAdminToken(path), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dsr::broker
