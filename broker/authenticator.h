#ifndef DSR_BROKER_AUTHENTICATOR_H_
#define DSR_BROKER_AUTHENTICATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/principal.h"
#include "storage/store.h"

namespace dsr::broker {

// Turns a bearer token into a principal: the admin, an actor, the holder of
// a request's receipt, or (without a token) anonymous. Tokens are compared by SHA-256 digest in
// constant time. Thread-safe.
class Authenticator {
 public:
  // `store` must outlive the authenticator. `admin_token_digest` is the
  // SHA-256 of the admin token.
  Authenticator(const storage::Store* store, std::string admin_token_digest);

  // `token` empty: anonymous. A known token: its principal. Otherwise
  // UNAUTHENTICATED (the message never repeats the token); UNAVAILABLE if the
  // store cannot be read.
  absl::StatusOr<Principal> Authenticate(absl::string_view token) const;

  // Parses an `authorization` metadata value, `Bearer <token>`, and
  // authenticates the token. An absent header (nullptr) is anonymous; a
  // header in another form is UNAUTHENTICATED.
  absl::StatusOr<Principal> AuthenticateHeader(const absl::string_view* authorization) const;

 private:
  const storage::Store* store_;
  const std::string admin_token_digest_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_AUTHENTICATOR_H_
