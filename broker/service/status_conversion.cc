#include "broker/service/status_conversion.h"

#include <string>

namespace dsr::broker {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      return grpc::Status(code, "internal error in the broker; see its log");
    default:
      return grpc::Status(code, std::string(status.message()));
  }
}

}  // namespace dsr::broker
