#ifndef DSR_CLIENT_GRPC_STATUS_H_
#define DSR_CLIENT_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace dsr::client {

// The one place where a grpc::Status from the broker becomes an
// absl::Status. Codes map one to one; a broker that cannot be reached gets a
// message saying so and naming `broker`, instead of gRPC's transport details.
absl::Status FromGrpcStatus(const grpc::Status& status, const std::string& broker);

}  // namespace dsr::client

#endif  // DSR_CLIENT_GRPC_STATUS_H_
