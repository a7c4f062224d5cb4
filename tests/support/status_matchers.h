#ifndef DSR_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define DSR_TESTS_SUPPORT_STATUS_MATCHERS_H_

// ASSERT_OK / EXPECT_OK for absl::Status and absl::StatusOr (this Abseil
// release ships no status matchers), and ASSERT_OK_AND_ASSIGN.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace dsr::testing {

inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace dsr::testing

#define EXPECT_OK(expr) EXPECT_EQ(::dsr::testing::StatusOf(expr), ::absl::OkStatus())
#define ASSERT_OK(expr) ASSERT_EQ(::dsr::testing::StatusOf(expr), ::absl::OkStatus())
#define EXPECT_CODE(expr, expected_code) \
  EXPECT_EQ(::dsr::testing::StatusOf(expr).code(), (expected_code))

#define DSR_TEST_CONCAT_INNER_(a, b) a##b
#define DSR_TEST_CONCAT_(a, b) DSR_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(DSR_TEST_CONCAT_(dsr_statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_OK(statusor);                                  \
  lhs = std::move(*statusor)

#endif  // DSR_TESTS_SUPPORT_STATUS_MATCHERS_H_
