#ifndef DSR_BROKER_SERVICE_STATUS_CONVERSION_H_
#define DSR_BROKER_SERVICE_STATUS_CONVERSION_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace dsr::broker {

// The one place where an absl::Status becomes a grpc::Status. Codes map one
// to one. Errors from the broker's own machinery (INTERNAL, UNKNOWN,
// DATA_LOSS, UNAVAILABLE) are logged in full and reach the caller with a
// generic message: they describe the broker's storage, not the request.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_STATUS_CONVERSION_H_
