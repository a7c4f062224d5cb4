#include "broker/base/names.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dsr::broker {
namespace {

bool IsValidLinkId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::Status BadName(absl::string_view field, absl::string_view form) {
  return absl::InvalidArgumentError(absl::StrCat(field, " must have the form ", form));
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.size() < 3 || id.size() > 63) return false;
  if (id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::Status ValidateId(absl::string_view id, absl::string_view field) {
  if (IsValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " must match [a-z][a-z0-9-]{2,62}"));
}

std::string ActorName(absl::string_view actor_id) { return absl::StrCat("actors/", actor_id); }

std::string FormatHoldingName(absl::string_view actor_id, absl::string_view holding_id) {
  return absl::StrCat("actors/", actor_id, "/holdings/", holding_id);
}

std::string LinkName(absl::string_view link_id) { return absl::StrCat("links/", link_id); }

absl::StatusOr<std::string> ParseActorName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != "actors" || !IsValidId(parts[1])) {
    return BadName(field, "actors/{actor}");
  }
  return std::string(parts[1]);
}

absl::StatusOr<HoldingName> ParseHoldingName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "actors" || !IsValidId(parts[1]) || parts[2] != "holdings" ||
      !IsValidId(parts[3])) {
    return BadName(field, "actors/{actor}/holdings/{holding}");
  }
  return HoldingName{std::string(parts[1]), std::string(parts[3])};
}

absl::StatusOr<std::string> ParseLinkName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != "links" || !IsValidLinkId(parts[1])) {
    return BadName(field, "links/{link}");
  }
  return std::string(parts[1]);
}

}  // namespace dsr::broker
