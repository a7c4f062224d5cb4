#ifndef DSR_BROKER_SERVICE_STATUS_CONVERSION_H_
#define DSR_BROKER_SERVICE_STATUS_CONVERSION_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace dsr::broker {

// The one place where an absl::Status becomes a grpc::Status. Codes map one
// to one. INTERNAL and DATA_LOSS messages are replaced by a generic one: they
// describe the broker's storage, which is no business of the caller's.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_STATUS_CONVERSION_H_
