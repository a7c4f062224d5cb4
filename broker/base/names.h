#ifndef DSR_BROKER_BASE_NAMES_H_
#define DSR_BROKER_BASE_NAMES_H_

// Resource names (AIP-122) of the registry: parsing with errors that name the
// request field, and formatting. Pure functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dsr::broker {

// Whether `id` is a valid actor or holding id: `[a-z][a-z0-9-]{2,62}`.
bool IsValidId(absl::string_view id);

// INVALID_ARGUMENT naming `field` unless `id` is valid.
absl::Status ValidateId(absl::string_view id, absl::string_view field);

struct HoldingName {
  std::string actor_id;
  std::string holding_id;
};

std::string ActorName(absl::string_view actor_id);
std::string FormatHoldingName(absl::string_view actor_id, absl::string_view holding_id);
std::string LinkName(absl::string_view link_id);

// Each returns INVALID_ARGUMENT naming `field` if `name` is not of its form.
absl::StatusOr<std::string> ParseActorName(absl::string_view name, absl::string_view field);
absl::StatusOr<HoldingName> ParseHoldingName(absl::string_view name, absl::string_view field);
absl::StatusOr<std::string> ParseLinkName(absl::string_view name, absl::string_view field);

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_NAMES_H_
