#ifndef DSR_BROKER_IDEMPOTENCY_H_
#define DSR_BROKER_IDEMPOTENCY_H_

// Request-id idempotency (AIP-155). A mutation that carries a request_id
// records, in the same write batch as its effect, which resource it made; a
// retry with the same id (from the same principal) finds the record and
// returns that resource instead of acting again.
//
// Callers must look up and record under the same write lock, so that two
// concurrent calls with one id cannot both act.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "storage/store.h"

namespace dsr::broker {

// INVALID_ARGUMENT naming request_id unless `request_id` is empty or 1-64
// characters of [A-Za-z0-9_-].
absl::Status ValidateRequestId(absl::string_view request_id);

// A fingerprint of `method` and `request`; the caller clears the request id
// from `request` first.
std::string RequestFingerprint(absl::string_view method, const google::protobuf::Message& request);

// The resource made by an earlier call with this id, or nullopt if there was
// none. INVALID_ARGUMENT if the earlier call's request differed.
absl::StatusOr<std::optional<std::string>> FindEarlierCall(const storage::Store& store,
                                                           absl::string_view principal,
                                                           absl::string_view request_id,
                                                           absl::string_view fingerprint);

// Adds the record of this call to `batch`.
void RecordCall(storage::WriteBatch& batch, absl::string_view principal,
                absl::string_view request_id, absl::string_view fingerprint,
                absl::string_view resource_name, absl::Time now);

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDEMPOTENCY_H_
