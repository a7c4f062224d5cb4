#ifndef DSR_BROKER_PRIVACY_AEAD_H_
#define DSR_BROKER_PRIVACY_AEAD_H_

// Authenticated encryption of personal data at rest: AES-256-GCM from
// OpenSSL with a random 96-bit nonce per message. A sealed message is
// version (1 byte) || nonce (12) || ciphertext || tag (16). The associated
// data binds a ciphertext to the record it belongs to, so that one record's
// ciphertext cannot be moved into another. Thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dsr::broker {

// AES-256 keys are 32 bytes.
inline constexpr size_t kAeadKeyBytes = 32;

// Encrypts `plaintext` under `key` (kAeadKeyBytes) with `associated_data`.
// INTERNAL only if OpenSSL fails.
absl::StatusOr<std::string> Seal(absl::string_view key, absl::string_view plaintext,
                                 absl::string_view associated_data);

// Decrypts what Seal made. DATA_LOSS if `sealed` is malformed, was made with
// another key or associated data, or was altered.
absl::StatusOr<std::string> Open(absl::string_view key, absl::string_view sealed,
                                 absl::string_view associated_data);

// `bytes` cryptographically random bytes.
std::string RandomBytes(size_t bytes);

}  // namespace dsr::broker

#endif  // DSR_BROKER_PRIVACY_AEAD_H_
