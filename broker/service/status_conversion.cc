#include "broker/service/status_conversion.h"

#include <string>

#include "broker/core/client_status.h"

namespace dsr::broker {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  const absl::Status sent = ClientStatus(status);
  if (sent.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(sent.code()), std::string(sent.message()));
}

}  // namespace dsr::broker
