#include "broker/registry/registry_validation.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace dsr::broker {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, " ", problem));
}

bool HasControlCharacter(absl::string_view text, bool allow_newlines) {
  for (unsigned char c : text) {
    if (c == 0x7f) return true;
    if (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r'))) return true;
  }
  return false;
}

absl::Status CheckText(absl::string_view field, absl::string_view text, size_t max_bytes,
                       bool required, bool multi_line) {
  if (required && absl::StripAsciiWhitespace(text).empty()) return Invalid(field, "is required");
  if (text.size() > max_bytes) {
    return Invalid(field, absl::StrCat("must be at most ", max_bytes, " bytes"));
  }
  if (HasControlCharacter(text, multi_line)) {
    return Invalid(field, "must not contain control characters");
  }
  return absl::OkStatus();
}

absl::Status CheckList(absl::string_view field,
                       const google::protobuf::RepeatedPtrField<std::string>& values,
                       size_t max_bytes, const Limits& limits) {
  if (values.size() > limits.max_repeated) {
    return Invalid(field, absl::StrCat("must have at most ", limits.max_repeated, " entries"));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string entry = absl::StrCat(field, "[", i, "]");
    absl::Status s = CheckText(entry, values[i], max_bytes, /*required=*/true, false);
    if (!s.ok()) return s;
    if (!seen.insert(values[i]).second) return Invalid(entry, "repeats an earlier entry");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NormalizeContactEmail(absl::string_view email,
                                                  absl::string_view field) {
  std::string normalized = absl::AsciiStrToLower(absl::StripAsciiWhitespace(email));
  if (normalized.empty()) return Invalid(field, "is required");
  const size_t at = normalized.find('@');
  const bool plausible = normalized.size() <= 254 && at != std::string::npos && at > 0 &&
                         at <= 64 && normalized.find('@', at + 1) == std::string::npos &&
                         normalized.find('.', at) != std::string::npos &&
                         normalized.back() != '.' && normalized[at + 1] != '.';
  bool clean = true;
  for (unsigned char c : normalized) clean = clean && c > 0x20 && c != 0x7f;
  if (!plausible || !clean) return Invalid(field, "is not a valid email address");
  return normalized;
}

absl::Status ValidateActor(const dsr::v1::Actor& actor, const Limits& limits) {
  absl::Status s = CheckText("actor.display_name", actor.display_name(),
                             limits.max_short_text_bytes, /*required=*/true, false);
  if (!s.ok()) return s;
  if (actor.roles().empty()) return Invalid("actor.roles", "must name at least one role");
  absl::flat_hash_set<int> roles;
  for (int role : actor.roles()) {
    if (role == dsr::v1::Actor::ROLE_UNSPECIFIED || !dsr::v1::Actor::Role_IsValid(role)) {
      return Invalid("actor.roles", "has an unknown role");
    }
    if (!roles.insert(role).second) return Invalid("actor.roles", "names a role twice");
  }
  return NormalizeContactEmail(actor.contact_email(), "actor.contact_email").status();
}

const std::vector<std::string>& MutableHoldingPaths() {
  static const auto* paths = new std::vector<std::string>{
      "title",           "version", "description", "purposes",    "legal_basis",
      "data_categories", "license", "retention",   "external_ids"};
  return *paths;
}

absl::Status ValidateHoldingField(const dsr::v1::Holding& h, absl::string_view path,
                                  const Limits& limits) {
  const std::string field = absl::StrCat("holding.", path);
  if (path == "title") return CheckText(field, h.title(), limits.max_short_text_bytes, true, false);
  if (path == "version") {
    return CheckText(field, h.version(), limits.max_short_text_bytes, false, false);
  }
  if (path == "license") {
    return CheckText(field, h.license(), limits.max_short_text_bytes, false, false);
  }
  if (path == "description") {
    return CheckText(field, h.description(), limits.max_free_text_bytes, false, true);
  }
  if (path == "purposes") {
    return CheckText(field, h.purposes(), limits.max_free_text_bytes, false, true);
  }
  if (path == "retention") {
    return CheckText(field, h.retention(), limits.max_free_text_bytes, false, true);
  }
  if (path == "legal_basis") {
    if (!dsr::v1::Holding::LegalBasis_IsValid(h.legal_basis())) {
      return Invalid(field, "has an unknown value");
    }
    return absl::OkStatus();
  }
  if (path == "data_categories") {
    return CheckList(field, h.data_categories(), limits.max_short_text_bytes, limits);
  }
  if (path == "external_ids") {
    return CheckList(field, h.external_ids(), limits.max_external_id_bytes, limits);
  }
  const bool printable =
      path.size() <= 64 && path.find_first_not_of("abcdefghijklmnopqrstuvwxyz_.") == path.npos;
  return absl::InvalidArgumentError(absl::StrCat("update_mask names ", printable ? path : "a field",
                                                 ", which cannot be updated"));
}

absl::Status ValidateNewHolding(const dsr::v1::Holding& holding, const Limits& limits) {
  if (holding.kind() != dsr::v1::Holding::DATASET && holding.kind() != dsr::v1::Holding::MODEL) {
    return Invalid("holding.kind", "must be DATASET or MODEL");
  }
  for (const std::string& path : MutableHoldingPaths()) {
    absl::Status s = ValidateHoldingField(holding, path, limits);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
