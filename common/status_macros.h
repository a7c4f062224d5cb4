#ifndef DSR_COMMON_STATUS_MACROS_H_
#define DSR_COMMON_STATUS_MACROS_H_

// Early-return helpers for absl::Status and absl::StatusOr (this Abseil
// release has none of its own).

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function if `expr` is not OK.
#define DSR_RETURN_IF_ERROR(expr)              \
  do {                                         \
    const ::absl::Status dsr_status_ = (expr); \
    if (!dsr_status_.ok()) return dsr_status_; \
  } while (false)

#define DSR_STATUS_CONCAT_INNER_(a, b) a##b
#define DSR_STATUS_CONCAT_(a, b) DSR_STATUS_CONCAT_INNER_(a, b)

// `lhs = *expr` if `expr` (a StatusOr) is OK; else returns its status.
#define DSR_ASSIGN_OR_RETURN(lhs, expr) \
  DSR_ASSIGN_OR_RETURN_IMPL_(DSR_STATUS_CONCAT_(dsr_statusor_, __LINE__), lhs, expr)

#define DSR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(*statusor)

#endif  // DSR_COMMON_STATUS_MACROS_H_
