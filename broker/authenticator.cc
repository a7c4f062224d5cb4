#include "broker/authenticator.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "broker/names.h"
#include "broker/tokens.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

namespace {
constexpr absl::string_view kTooManyFailures = "too many failed authentications from this address";
}  // namespace

Authenticator::Authenticator(const storage::Store* store, std::string admin_token_digest,
                             RateLimiter* failures)
    : store_(store), admin_token_digest_(std::move(admin_token_digest)), failures_(failures) {}

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

absl::StatusOr<Principal> Authenticator::Authenticate(const CallCredentials& credentials) const {
  const bool limited = failures_ != nullptr && !credentials.client_address.empty();
  const bool presents =
      credentials.authorization.has_value() || !credentials.certificate_actor.empty();
  if (limited && presents) {
    absl::Status allowed = failures_->Check(credentials.client_address, kTooManyFailures);
    if (!allowed.ok()) return allowed;
  }
  absl::StatusOr<Principal> principal = absl::UnauthenticatedError("unknown credential");
  if (credentials.authorization.has_value()) {
    const absl::string_view header = *credentials.authorization;
    principal = AuthenticateHeader(&header);
  } else if (!credentials.certificate_actor.empty()) {
    absl::StatusOr<bool> known = false;
    if (IsValidId(credentials.certificate_actor)) {
      known = store_->Contains(storage::ColumnFamily::kActors,
                               storage::keys::Actor(credentials.certificate_actor));
    }
    if (!known.ok()) return known.status();
    principal = *known ? absl::StatusOr<Principal>(Principal::Actor(credentials.certificate_actor))
                       : absl::UnauthenticatedError("the client certificate names no known actor");
  } else {
    principal = Principal::Anonymous();
  }
  if (absl::IsUnauthenticated(principal.status()) && limited) {
    // Spend a token; the refusal itself comes with the next attempt.
    failures_->Take(credentials.client_address, kTooManyFailures).IgnoreError();
  }
  if (!principal.ok()) return principal;
  return principal->WithClientAddress(credentials.client_address);
}

}  // namespace dsr::broker
