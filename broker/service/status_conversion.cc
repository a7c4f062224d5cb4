#include "broker/service/status_conversion.h"

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/log.h"

namespace dsr::broker {
namespace {

// Storage that cannot write (a full disk) refuses every call: the log gets
// the first refusal of each second, with how many were not logged since.
void LogUnavailable(const absl::Status& status) {
  static absl::Mutex mu(absl::kConstInit);
  static absl::Time last_logged ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  static int64_t unlogged ABSL_GUARDED_BY(mu) = 0;
  int64_t skipped = 0;
  {
    absl::MutexLock lock(&mu);
    const absl::Time now = absl::Now();
    if (now - last_logged < absl::Seconds(1)) {
      ++unlogged;
      return;
    }
    last_logged = now;
    skipped = unlogged;
    unlogged = 0;
  }
  LogError(skipped == 0 ? status.ToString()
                        : absl::StrCat(status.ToString(), " (and ", skipped,
                                       " more calls refused since the last such line)"));
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      LogError(status.ToString());
      return grpc::Status(code, "internal error in the broker; its operator has the details");
    case absl::StatusCode::kUnavailable:
      LogUnavailable(status);
      return grpc::Status(code, "the broker cannot reach its storage right now; retry later");
    default:
      return grpc::Status(code, std::string(status.message()));
  }
}

}  // namespace dsr::broker
