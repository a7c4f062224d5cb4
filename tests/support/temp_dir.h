#ifndef DSR_TESTS_SUPPORT_TEMP_DIR_H_
#define DSR_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

namespace dsr::testing {

// A fresh directory named after the running test, removed (with everything
// in it) before use and on destruction. Under $TEST_TMPDIR when set, else
// gtest's TempDir().
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string Sub(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_TEMP_DIR_H_
