#ifndef DSR_BROKER_PRIVACY_PSEUDONYMS_H_
#define DSR_BROKER_PRIVACY_PSEUDONYMS_H_

// Keyed pseudonyms of subjects (SPEC §6): HMAC-SHA256(pepper, type || 0x00 ||
// normalised identifier). Every index or counter over subjects uses these,
// never the identifier; without the pepper (kept in a file outside the
// database) a pseudonym cannot be tested against a guessed address.
// Thread-safe.

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace dsr::broker {

class Pseudonyms {
 public:
  // `pepper`: secret bytes, at least 32.
  explicit Pseudonyms(std::string pepper);
  ~Pseudonyms();
  Pseudonyms(const Pseudonyms&) = delete;
  Pseudonyms& operator=(const Pseudonyms&) = delete;

  // The pseudonym of a normalised identifier of dsr.v1.SubjectIdentifier.Type
  // `type`: 32 raw bytes.
  std::string Of(int type, absl::string_view normalised_value) const;

  // A keyed digest of arbitrary bytes, for fingerprints of messages that
  // carry identifiers: 32 raw bytes.
  std::string Digest(absl::string_view data) const;

 private:
  struct MacFree {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  // HMAC-SHA256 keyed with the pepper once; each digest works on a copy
  // (keying it anew would cost more than the digest).
  std::unique_ptr<EVP_MAC_CTX, MacFree> keyed_;
  mutable absl::Mutex mu_;  // around copying keyed_
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_PRIVACY_PSEUDONYMS_H_
