#ifndef DSR_BROKER_REQUESTS_IDENTITY_POLICY_H_
#define DSR_BROKER_REQUESTS_IDENTITY_POLICY_H_

// Which identifiers a request must have verified before it is filed
// (docs/IDENTITY.md, "Policy"). A right that discloses data (ACCESS,
// PORTABILITY: RequestTypeTraits::reports) needs every identifier the
// broker can verify (email, phone, URL) verified, and at least one; the
// other rights need at least one verified contact (email or phone). The
// rest (usernames, names, other) travel as unverified hints. Pure;
// thread-safe.

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "broker/identity/verifications.h"
#include "dsr/storage/v1/request_records.pb.h"

namespace dsr::broker {

// OK when `proofs` (one per identifier of `subject`) meet the policy of
// request type `type`; else FAILED_PRECONDITION saying what is missing and
// how to verify it, naming identifiers by index and type, never by value.
absl::Status CheckIdentityPolicy(int type, const dsr::storage::v1::SubjectRecord& subject,
                                 const std::vector<std::optional<Proof>>& proofs);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_IDENTITY_POLICY_H_
