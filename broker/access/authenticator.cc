#include "broker/access/authenticator.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/names.h"
#include "broker/base/tokens.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

namespace {

constexpr absl::string_view kTooManyFailures = "too many failed authentications from this address";

}  // namespace

namespace {

// An IP address's family (AF_INET, AF_INET6; 0 if `ip` is not one) and
// bytes (4 or 16). An IPv4-mapped IPv6 address is its IPv4 address.
int ParseIp(absl::string_view ip, unsigned char bytes[16]) {
  std::string text(ip);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (::inet_pton(AF_INET, text.c_str(), bytes) == 1) return AF_INET;
  if (::inet_pton(AF_INET6, text.c_str(), bytes) != 1) return 0;
  if (IN6_IS_ADDR_V4MAPPED(reinterpret_cast<const in6_addr*>(bytes))) {
    std::copy(bytes + 12, bytes + 16, bytes);
    return AF_INET;
  }
  return AF_INET6;
}

}  // namespace

absl::StatusOr<absl::flat_hash_set<std::string>> ParseTrustedProxies(
    const std::vector<std::string>& addresses) {
  absl::flat_hash_set<std::string> proxies;
  for (const std::string& ip : addresses) {
    std::string key = CanonicalIp(ip);
    if (key.empty())
      return absl::InvalidArgumentError("trusted_proxies: each must be an IP address");
    proxies.insert(std::move(key));
  }
  return proxies;
}

std::string CanonicalIp(absl::string_view ip) {
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  const int family = ParseIp(ip, bytes);
  if (family == 0) return "";
  ::inet_ntop(family, bytes, out, sizeof(out));
  return out;
}

std::string ClientAddressOfIp(absl::string_view ip) {
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  switch (ParseIp(ip, bytes)) {
    case AF_INET:
      ::inet_ntop(AF_INET, bytes, out, sizeof(out));
      return absl::StrCat("ipv4:", out);
    case AF_INET6:
      std::fill(bytes + 8, bytes + 16, 0);
      ::inet_ntop(AF_INET6, bytes, out, sizeof(out));
      return absl::StrCat("ipv6:[", out, "]/64");
    default:
      return "";
  }
}

Authenticator::Authenticator(const storage::Store* store, std::string admin_token_digest,
                             RateLimiter* failures,
                             absl::flat_hash_set<std::string> trusted_proxies)
    : store_(store),
      admin_token_digest_(std::move(admin_token_digest)),
      failures_(failures),
      trusted_proxies_(std::move(trusted_proxies)) {}

std::string Authenticator::ClientAddressOf(const CallCredentials& credentials) const {
  if (!credentials.forwarded_for.has_value() || credentials.peer_ip.empty() ||
      !trusted_proxies_.contains(credentials.peer_ip)) {
    return credentials.client_address;
  }
  absl::string_view last = *credentials.forwarded_for;
  if (const size_t comma = last.rfind(','); comma != absl::string_view::npos) {
    last = last.substr(comma + 1);
  }
  last = absl::StripAsciiWhitespace(last);
  std::string key = ClientAddressOfIp(last);
  return key.empty() ? credentials.client_address : key;
}

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
  absl::StatusOr<Principal> principal = Principal::Anonymous();
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
  }
  // A valid credential always passes this allowance: failures from an address (one
  // sharing it, behind a proxy or a NAT) never lock a holder of a good
  // token out. Failures past the address's allowance are refused as such;
  // each is answered late (UnaryCalls), and an address with the most waiting
  // is refused before its token is looked at (CallRunner, broker/core/call_runner.h), so
  // guessing stays slow whatever the allowance. Tokens carry 256 random bits: the limit sheds load
  // and marks the abuse, it is not what keeps a guess from succeeding.
  const std::string address = ClientAddressOf(credentials);
  if (absl::IsUnauthenticated(principal.status()) && failures_ != nullptr && !address.empty()) {
    absl::Status allowed = failures_->Take(address, kTooManyFailures);
    if (!allowed.ok()) return allowed;
  }
  if (!principal.ok()) return principal;
  return principal->WithClientAddress(address);
}

}  // namespace dsr::broker
