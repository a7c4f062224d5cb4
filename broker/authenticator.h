#ifndef DSR_BROKER_AUTHENTICATOR_H_
#define DSR_BROKER_AUTHENTICATOR_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/principal.h"
#include "broker/rate_limiter.h"
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
};

// Turns a bearer token into a principal: the admin, an actor, the holder of
// a request's receipt, or (without a token) anonymous. Tokens are compared by
// SHA-256 digest in constant time. Thread-safe.
class Authenticator {
 public:
  // `store` must outlive the authenticator. `admin_token_digest` is the
  // SHA-256 of the admin token. `failures`, if given (and outliving the
  // authenticator), limits failed authentications per client address.
  Authenticator(const storage::Store* store, std::string admin_token_digest,
                RateLimiter* failures = nullptr);

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
  // principal carries the client address. A valid credential always passes;
  // a failure from an address past its allowance of failures is
  // RESOURCE_EXHAUSTED (with the time to wait) rather than UNAUTHENTICATED.
  absl::StatusOr<Principal> Authenticate(const CallCredentials& credentials) const;

 private:
  const storage::Store* store_;
  const std::string admin_token_digest_;
  RateLimiter* const failures_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_AUTHENTICATOR_H_
