#ifndef DSR_BROKER_JOURNAL_IDEMPOTENCY_H_
#define DSR_BROKER_JOURNAL_IDEMPOTENCY_H_

// Request-id idempotency (AIP-155). A mutation that carries a request_id
// records, in the same write batch as its effect, which resource it acted on;
// a retry with the same id from the same principal finds the record and
// replays the first result instead of acting again.
//
// Callers must look up and record under one write lock, so that two
// concurrent calls with the same id cannot both act.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/base/principal.h"
#include "broker/privacy/pseudonyms.h"
#include "google/protobuf/message.h"
#include "storage/store.h"

namespace dsr::broker {

// One call's idempotency key: who made it, its request_id, and a fingerprint
// of the rest of the request. A value type.
class IdempotentCall {
 public:
  // Reads `request`'s `request_id` field: INVALID_ARGUMENT naming request_id
  // unless it is empty or 1-64 characters of [A-Za-z0-9_-]. `method` and the
  // request without its request_id make the fingerprint: SHA-256, or, when
  // `keyed` is given, HMAC-SHA256 with the pepper. Messages that carry
  // personal data (identifiers, reports) must pass `keyed`, so that a stored
  // fingerprint cannot confirm a guess of their contents.
  static absl::StatusOr<IdempotentCall> Prepare(const Principal& principal,
                                                absl::string_view method,
                                                const google::protobuf::Message& request,
                                                const Pseudonyms* keyed = nullptr);

  // Whether the call carries a request_id at all.
  bool keyed() const { return !request_id_.empty(); }

  // The resource named by an earlier call with this key, or nullopt if there
  // was none (always nullopt for an unkeyed call). INVALID_ARGUMENT if the
  // earlier call's request differed.
  absl::StatusOr<std::optional<std::string>> FindEarlier(const storage::Store& store) const;

  // Adds the record of this call to `batch`; nothing for an unkeyed call.
  void Record(storage::WriteBatch& batch, absl::string_view resource_name, absl::Time now) const;

  // The key of this call's record in the `idempotency` family (empty for an
  // unkeyed call), for deleting it with what it fingerprints.
  std::string StorageKey() const;

 private:
  IdempotentCall(std::string principal, std::string request_id, std::string fingerprint)
      : principal_(std::move(principal)),
        request_id_(std::move(request_id)),
        fingerprint_(std::move(fingerprint)) {}

  std::string principal_;
  std::string request_id_;
  std::string fingerprint_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_JOURNAL_IDEMPOTENCY_H_
