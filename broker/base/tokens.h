#ifndef DSR_BROKER_BASE_TOKENS_H_
#define DSR_BROKER_BASE_TOKENS_H_

// Secrets and random identifiers, from OpenSSL. Thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace dsr::broker {

// Token prefixes: they tell a reader (and secret scanners) what a token is
// for without revealing anything of it.
inline constexpr absl::string_view kAdminTokenPrefix = "dsr_admin_";
inline constexpr absl::string_view kActorTokenPrefix = "dsr_actor_";
inline constexpr absl::string_view kReceiptTokenPrefix = "dsr_receipt_";
inline constexpr absl::string_view kVerifiedTokenPrefix = "dsr_verified_";

// A new bearer token: `prefix` followed by 256 random bits, base64url.
std::string NewToken(absl::string_view prefix);

// A new random identifier of at least `bits` random bits, in lowercase
// base32 (RFC 4648 alphabet, no padding), starting with a letter so that it
// is also a valid resource id.
std::string NewRandomId(int bits);

// SHA-256 of `data`, 32 raw bytes.
std::string Sha256(absl::string_view data);

// Whether two digests are equal, in time that depends only on their length.
bool DigestsEqual(absl::string_view a, absl::string_view b);

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_TOKENS_H_
