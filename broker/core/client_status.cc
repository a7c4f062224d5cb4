#include "broker/core/client_status.h"

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/log.h"

namespace dsr::broker {
namespace {

// The payload that marks a refusal made by the broker's own lifecycle, not
// by its storage. Never sent to a caller (transports send code and message).
constexpr absl::string_view kCauseUrl = "type.dsr.broker/cause";
constexpr absl::string_view kShutdown = "shutdown";

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

absl::Status ShuttingDown(absl::string_view what) {
  absl::Status status = absl::UnavailableError(what);
  status.SetPayload(kCauseUrl, absl::Cord(kShutdown));
  return status;
}

absl::Status Overloaded(absl::string_view what) { return absl::ResourceExhaustedError(what); }

bool IsShuttingDown(const absl::Status& status) {
  const absl::optional<absl::Cord> cause = status.GetPayload(kCauseUrl);
  return cause.has_value() && *cause == kShutdown;
}

absl::Status ClientStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return status;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      LogError(status.ToString());
      return absl::Status(status.code(),
                          "internal error in the broker; its operator has the details");
    case absl::StatusCode::kUnavailable:
      if (IsShuttingDown(status)) return absl::UnavailableError(status.message());
      LogUnavailable(status);
      return absl::UnavailableError("the broker cannot reach its storage right now; retry later");
    default:
      return absl::Status(status.code(), status.message());
  }
}

}  // namespace dsr::broker
