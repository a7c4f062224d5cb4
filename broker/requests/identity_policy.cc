#include "broker/requests/identity_policy.h"

#include "absl/strings/str_cat.h"
#include "broker/requests/request_types.h"

namespace dsr::broker {

namespace {

using dsr::v1::SubjectIdentifier;

constexpr absl::string_view kHowTo =
    "verify it with VerificationService.CreateVerification and ConfirmVerification (dsr verify), "
    "then pass the token in verification_tokens";

bool Verifiable(int type) {
  return type == SubjectIdentifier::EMAIL || type == SubjectIdentifier::PHONE ||
         type == SubjectIdentifier::URL;
}

bool IsContact(int type) {
  return type == SubjectIdentifier::EMAIL || type == SubjectIdentifier::PHONE;
}

}  // namespace

absl::Status CheckIdentityPolicy(int type, const dsr::storage::v1::SubjectRecord& subject,
                                 const std::vector<std::optional<Proof>>& proofs) {
  const RequestTypeTraits* traits = TraitsOf(type);
  const std::string right = dsr::v1::RequestType_Name(static_cast<dsr::v1::RequestType>(type));
  bool any_verified = false;
  bool contact_verified = false;
  for (int i = 0; i < subject.identifiers_size(); ++i) {
    const int id_type = subject.identifiers(i).type();
    const bool proved = i < static_cast<int>(proofs.size()) && proofs[i].has_value();
    any_verified |= proved;
    contact_verified |= proved && IsContact(id_type);
    if (traits != nullptr && traits->reports && Verifiable(id_type) && !proved) {
      return absl::FailedPreconditionError(absl::StrCat(
          "request.subject_identifiers[", i, "] (",
          SubjectIdentifier::Type_Name(static_cast<SubjectIdentifier::Type>(id_type)),
          ") is not verified: an ", right,
          " request discloses data, so every email address, phone number and URL on it must "
          "be verified; ",
          kHowTo));
    }
  }
  if (traits != nullptr && traits->reports) {
    if (any_verified) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "an ", right,
        " request needs at least one verified email address, phone number or URL beside "
        "usernames and names; add one and ",
        kHowTo));
  }
  if (contact_verified) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "a ", right, " request needs at least one verified email address or phone number; ", kHowTo));
}

}  // namespace dsr::broker
