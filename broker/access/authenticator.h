#ifndef DSR_BROKER_ACCESS_AUTHENTICATOR_H_
#define DSR_BROKER_ACCESS_AUTHENTICATOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/access/rate_limiter.h"
#include "broker/base/principal.h"
#include "storage/store.h"

namespace dsr::broker {

// What a call presents to identify its caller, as the transport saw it.
struct CallCredentials {
  // The `authorization` metadata value, when present.
  std::optional<std::string> authorization;
  // The client's network address without its port ("ipv4:192.0.2.1"); empty
  // if unknown.
  std::string client_address;
  // The actor id named by the client's verified certificate (mutual TLS);
  // empty without one.
  std::string certificate_actor;
  // The peer's own IP address, exactly (CanonicalIp); empty for a peer
  // that is not an IP address.
  std::string peer_ip;
  // The last `x-forwarded-for` metadata value, when present: believed only
  // from a trusted proxy (Authenticator::ClientAddressOf).
  std::optional<std::string> forwarded_for;
};

// An IP address in one spelling: "192.0.2.1" and "::ffff:192.0.2.1" ->
// "192.0.2.1"; "[2001:DB8:0::1]" -> "2001:db8::1"; empty for what is not an
// address.
std::string CanonicalIp(absl::string_view ip);

// The trusted proxies' addresses (RateLimits::trusted_proxies) in
// CanonicalIp form. INVALID_ARGUMENT if one is not an IP address.
absl::StatusOr<absl::flat_hash_set<std::string>> ParseTrustedProxies(
    const std::vector<std::string>& addresses);

// The key of per-client limits for an IP address written out:
// "192.0.2.1" (or IPv4-mapped) -> "ipv4:192.0.2.1"; "2001:db8::1" (or
// bracketed) -> its /64, "ipv6:[2001:db8::]/64"; empty for what is not an
// address.
std::string ClientAddressOfIp(absl::string_view ip);

// Turns a bearer token into a principal: the admin, an actor, the holder of
// a request's receipt, or (without a token) anonymous. Tokens are compared by
// SHA-256 digest in constant time. Thread-safe.
class Authenticator {
 public:
  // `store` must outlive the authenticator. `admin_token_digest` is the
  // SHA-256 of the admin token. `failures`, if given (and outliving the
  // authenticator), limits failed authentications per client address.
  // `trusted_proxies` are IP addresses (as CanonicalIp writes them) whose
  // `x-forwarded-for` names the real client: the peer's exact address must
  // be one (an IPv6 proxy does not vouch for its /64).
  Authenticator(const storage::Store* store, std::string admin_token_digest,
                RateLimiter* failures = nullptr,
                absl::flat_hash_set<std::string> trusted_proxies = {});

  // The address per-client limits key on: the peer's, or, behind a trusted
  // proxy, the address its `x-forwarded-for` names last (the one the proxy
  // saw), IPv6 by its /64 as everywhere.
  std::string ClientAddressOf(const CallCredentials& credentials) const;

  // `token` empty: anonymous. A known token: its principal. Otherwise
  // UNAUTHENTICATED (the message never repeats the token); UNAVAILABLE if the
  // store cannot be read.
  absl::StatusOr<Principal> Authenticate(absl::string_view token) const;

  // Parses an `authorization` metadata value, `Bearer <token>`, and
  // authenticates the token. An absent header (nullptr) is anonymous; a
  // header in another form is UNAUTHENTICATED.
  absl::StatusOr<Principal> AuthenticateHeader(const absl::string_view* authorization) const;

  // A whole call: a bearer token if there is one; else the actor of a
  // verified client certificate (it must exist); else anonymous. The
  // principal carries the client address. A valid credential always passes
  // here (the core's CallRunner refuses calls of an address with too many
  // failures waiting); a failure from an address past its
  // allowance of failures is RESOURCE_EXHAUSTED (with the time to wait)
  // rather than UNAUTHENTICATED.
  absl::StatusOr<Principal> Authenticate(const CallCredentials& credentials) const;

 private:
  const storage::Store* store_;
  const std::string admin_token_digest_;
  RateLimiter* const failures_;
  const absl::flat_hash_set<std::string> trusted_proxies_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_ACCESS_AUTHENTICATOR_H_
