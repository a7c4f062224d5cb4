#ifndef DSR_BROKER_REGISTRY_REGISTRY_VALIDATION_H_
#define DSR_BROKER_REGISTRY_REGISTRY_VALIDATION_H_

// Field checks for registry writes. Each returns INVALID_ARGUMENT with a
// message that names the offending field (as `actor.contact_email`) and never
// repeats its value. Pure functions; thread-safe.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/base/limits.h"
#include "dsr/v1/actor.pb.h"
#include "dsr/v1/holding.pb.h"
#include "dsr/v1/link.pb.h"

namespace dsr::broker {

absl::Status ValidateActor(const dsr::v1::Actor& actor, const Limits& limits);

// The contact address trimmed and lowercased; INVALID_ARGUMENT naming `field`
// if it is not a plausible address.
absl::StatusOr<std::string> NormalizeContactEmail(absl::string_view email, absl::string_view field);

// Checks one holding field, by its name in Holding (the update_mask path).
// NOT_FOUND-free: an unknown path is INVALID_ARGUMENT.
absl::Status ValidateHoldingField(const dsr::v1::Holding& holding, absl::string_view path,
                                  const Limits& limits);

// Checks every caller-settable field of a new holding.
absl::Status ValidateNewHolding(const dsr::v1::Holding& holding, const Limits& limits);

// The update_mask paths UpdateHolding accepts.
const std::vector<std::string>& MutableHoldingPaths();

}  // namespace dsr::broker

#endif  // DSR_BROKER_REGISTRY_REGISTRY_VALIDATION_H_
