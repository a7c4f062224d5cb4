#include "broker/authenticator.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "broker/tokens.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

Authenticator::Authenticator(const storage::Store* store, std::string admin_token_digest)
    : store_(store), admin_token_digest_(std::move(admin_token_digest)) {}

absl::StatusOr<Principal> Authenticator::Authenticate(absl::string_view token) const {
  if (token.empty()) return Principal::Anonymous();
  const std::string digest = Sha256(token);
  if (DigestsEqual(digest, admin_token_digest_)) return Principal::Admin();
  if (absl::StartsWith(token, kActorTokenPrefix)) {
    // The lookup is keyed by the digest, so its timing reveals nothing a
    // caller could use to guess a token byte by byte.
    dsr::storage::v1::TokenRecord owner;
    absl::Status found =
        store_->Get(storage::ColumnFamily::kTokens, storage::keys::Token(digest), &owner);
    if (found.ok()) return Principal::Actor(owner.actor_id());
    if (!absl::IsNotFound(found)) return found;
  } else if (absl::StartsWith(token, kReceiptTokenPrefix)) {
    dsr::storage::v1::ReceiptRecord receipt;
    absl::Status found =
        store_->Get(storage::ColumnFamily::kReceipts, storage::keys::Receipt(digest), &receipt);
    if (found.ok()) return Principal::Receipt(receipt.request_id());
    if (!absl::IsNotFound(found)) return found;
  }
  return absl::UnauthenticatedError("unknown token");
}

absl::StatusOr<Principal> Authenticator::AuthenticateHeader(
    const absl::string_view* authorization) const {
  if (authorization == nullptr) return Principal::Anonymous();
  absl::string_view value = *authorization;
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError("authorization metadata must be 'Bearer <token>'");
  }
  absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return absl::UnauthenticatedError("empty bearer token");
  return Authenticate(token);
}

}  // namespace dsr::broker
