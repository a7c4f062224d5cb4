#ifndef DSR_BROKER_PSEUDONYMS_H_
#define DSR_BROKER_PSEUDONYMS_H_

// Keyed pseudonyms of subjects (SPEC §6): HMAC-SHA256(pepper, type || 0x00 ||
// normalised identifier). Every index or counter over subjects uses these,
// never the identifier; without the pepper (kept in a file outside the
// database) a pseudonym cannot be tested against a guessed address.
// Thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace dsr::broker {

class Pseudonyms {
 public:
  // `pepper`: secret bytes, at least 32.
  explicit Pseudonyms(std::string pepper) : pepper_(std::move(pepper)) {}

  // The pseudonym of a normalised identifier of dsr.v1.SubjectIdentifier.Type
  // `type`: 32 raw bytes.
  std::string Of(int type, absl::string_view normalised_value) const;

  // A keyed digest of arbitrary bytes, for fingerprints of messages that
  // carry identifiers: 32 raw bytes.
  std::string Digest(absl::string_view data) const;

 private:
  std::string pepper_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_PSEUDONYMS_H_
