#include "tests/support/temp_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace dsr::testing {

TempDir::TempDir() {
  const char* root = std::getenv("TEST_TMPDIR");
  std::string base = root != nullptr && *root != '\0' ? root : ::testing::TempDir();
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? absl::StrCat(info->test_suite_name(), ".", info->name())
                                     : std::string("no-test");
  name = absl::StrReplaceAll(name, {{"/", "_"}});
  path_ = (std::filesystem::path(base) / absl::StrCat("dsr-", name, "-", ::getpid())).string();
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Sub(const std::string& name) const {
  return (std::filesystem::path(path_) / name).string();
}

}  // namespace dsr::testing
