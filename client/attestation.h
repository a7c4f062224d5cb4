#ifndef DSR_CLIENT_ATTESTATION_H_
#define DSR_CLIENT_ATTESTATION_H_

// Checking the broker's attestation on a task, offline, as a holder does
// (docs/IDENTITY.md, "How a holder checks an attestation").

#include <vector>

#include "absl/status/status.h"
#include "dsr/v1/request.pb.h"
#include "dsr/v1/verification_service.pb.h"

namespace dsr::client {

// OK when `task` (as InboxService returns it) carries an attestation signed
// by one of `keys` (ListAttestationKeys) for the task's own request and
// type, whose verified identifiers are all among the task's identifiers;
// `*statement` (when given) then holds what it says. Else
// FAILED_PRECONDITION for a task without attestation, an unknown key or a
// statement that does not fit the task, and DATA_LOSS for a signature that
// does not check (the attestation was changed, or not signed by that key).
absl::Status CheckAttestation(const dsr::v1::Task& task,
                              const std::vector<dsr::v1::AttestationKey>& keys,
                              dsr::v1::AttestationStatement* statement = nullptr);

}  // namespace dsr::client

#endif  // DSR_CLIENT_ATTESTATION_H_
