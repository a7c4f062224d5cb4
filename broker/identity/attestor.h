#ifndef DSR_BROKER_IDENTITY_ATTESTOR_H_
#define DSR_BROKER_IDENTITY_ATTESTOR_H_

// The broker's signed attestations (docs/IDENTITY.md, "Attestations"):
// Ed25519 through OpenSSL 3, with a key kept in a file like the master key.
// A holder checks them offline with the public key the API publishes.
// Thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/identity/verifications.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/request.pb.h"
#include "dsr/v1/verification_service.pb.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace dsr::broker {

inline constexpr absl::string_view kAttestationPurpose = "dsr-broker attestation v1";

class Attestor {
 public:
  // `seed`: the 32-byte Ed25519 private key. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<std::unique_ptr<Attestor>> Create(const std::string& seed);
  ~Attestor();
  Attestor(const Attestor&) = delete;
  Attestor& operator=(const Attestor&) = delete;

  // The key as ListAttestationKeys shows it.
  const dsr::v1::AttestationKey& key() const { return key_; }
  // ListAttestationKeys: open to anyone.
  absl::Status ListKeys(const dsr::v1::ListAttestationKeysRequest& request,
                        dsr::v1::ListAttestationKeysResponse* response) const;

  // Signs the statement of `proofs` (one per identifier of `subject`, as
  // Verifications::Spend returns them) for `request_name`, of `type`, at
  // `now`. The identifiers without proof are left out.
  absl::StatusOr<dsr::storage::v1::AttestationRecord> Attest(
      absl::string_view request_name, int type, const dsr::storage::v1::SubjectRecord& subject,
      const std::vector<std::optional<Proof>>& proofs, absl::Time now) const;

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* key) const;
  };
  Attestor() = default;
  std::unique_ptr<EVP_PKEY, KeyFree> private_key_;
  dsr::v1::AttestationKey key_;
};

// The key id of a raw Ed25519 public key: `ed25519:` and the first 8 bytes
// of its SHA-256 in hex.
std::string AttestationKeyId(absl::string_view public_key);

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDENTITY_ATTESTOR_H_
