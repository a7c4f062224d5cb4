#include "client/grpc_status.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dsr::client {

absl::Status FromGrpcStatus(const grpc::Status& status, const std::string& broker) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      (absl::StrContains(status.error_message(), "failed to connect") ||
       absl::StrContains(status.error_message(), "Connection refused") ||
       absl::StrContains(status.error_message(), "DNS resolution failed"))) {
    return absl::UnavailableError(absl::StrCat("cannot reach the broker at ", broker));
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::DeadlineExceededError(
        absl::StrCat("the broker at ", broker, " did not answer in time"));
  }
  return absl::Status(code, status.error_message());
}

}  // namespace dsr::client
