#ifndef DSR_BROKER_CORE_CLIENT_STATUS_H_
#define DSR_BROKER_CORE_CLIENT_STATUS_H_

// What a caller is told when a call fails, whatever the transport. Every
// transport sends ClientStatus(status) and only translates its code (gRPC
// codes one to one; HTTP statuses by the usual table).
//
// Three failures share the code UNAVAILABLE and must not be confused: the
// broker shutting down (retry against a running broker), the storage unable
// to write (retry later; the operator is told), and a refusal by the
// transport's own machinery. Shutdown and overload refusals are made by
// ShuttingDown and Overloaded, which mark them, so ClientStatus passes them
// through with their own words; any other UNAVAILABLE is the storage's.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dsr::broker {

// UNAVAILABLE: the broker is shutting down; `what` says what was refused
// and what to do ("the broker is shutting down; retry").
absl::Status ShuttingDown(absl::string_view what);

// RESOURCE_EXHAUSTED: the broker has no room for the call now.
absl::Status Overloaded(absl::string_view what);

// Whether `status` was made by ShuttingDown.
bool IsShuttingDown(const absl::Status& status);

// The status to send to the caller. OK and the domain's refusals pass with
// their messages. Failures of the broker's own machinery (INTERNAL,
// UNKNOWN, DATA_LOSS, and UNAVAILABLE from storage) are logged in full (at
// most one storage line a second) and reach the caller with a generic
// message: they describe the broker's storage, not the request.
absl::Status ClientStatus(const absl::Status& status);

}  // namespace dsr::broker

#endif  // DSR_BROKER_CORE_CLIENT_STATUS_H_
