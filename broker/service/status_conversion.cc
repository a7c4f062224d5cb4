#include "broker/service/status_conversion.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "broker/log.h"

namespace dsr::broker {

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
      LogError(status.ToString());
      return grpc::Status(code, "the broker cannot reach its storage right now; retry later");
    default:
      return grpc::Status(code, std::string(status.message()));
  }
}

}  // namespace dsr::broker
