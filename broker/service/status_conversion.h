#ifndef DSR_BROKER_SERVICE_STATUS_CONVERSION_H_
#define DSR_BROKER_SERVICE_STATUS_CONVERSION_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace dsr::broker {

// The one place where an absl::Status becomes a grpc::Status: the core's
// ClientStatus (broker/core/client_status.h: what a caller may be told),
// with codes mapped one to one.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_STATUS_CONVERSION_H_
