#include "broker/identity/attestor.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/time_util.h"
#include "broker/base/tokens.h"

namespace dsr::broker {

void Attestor::KeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

std::string AttestationKeyId(absl::string_view public_key) {
  return absl::StrCat("ed25519:", absl::BytesToHexString(Sha256(public_key).substr(0, 8)));
}

absl::StatusOr<std::unique_ptr<Attestor>> Attestor::Create(const std::string& seed) {
  if (seed.size() != 32) return absl::InvalidArgumentError("an Ed25519 key is 32 bytes");
  std::unique_ptr<Attestor> attestor(new Attestor());
  attestor->private_key_.reset(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (attestor->private_key_ == nullptr) {
    return absl::InternalError("OpenSSL cannot make an Ed25519 key");
  }
  std::string public_key(32, '\0');
  size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(attestor->private_key_.get(),
                                  reinterpret_cast<unsigned char*>(public_key.data()),
                                  &length) != 1 ||
      length != 32) {
    return absl::InternalError("OpenSSL cannot give the Ed25519 public key");
  }
  attestor->key_.set_key_id(AttestationKeyId(public_key));
  attestor->key_.set_algorithm("Ed25519");
  attestor->key_.set_public_key(public_key);
  return attestor;
}

Attestor::~Attestor() = default;

absl::Status Attestor::ListKeys(const dsr::v1::ListAttestationKeysRequest&,
                                dsr::v1::ListAttestationKeysResponse* response) const {
  *response->add_keys() = key_;
  return absl::OkStatus();
}

absl::StatusOr<dsr::storage::v1::AttestationRecord> Attestor::Attest(
    absl::string_view request_name, int type, const dsr::storage::v1::SubjectRecord& subject,
    const std::vector<std::optional<Proof>>& proofs, absl::Time now) const {
  dsr::v1::AttestationStatement statement;
  statement.set_request(std::string(request_name));
  statement.set_request_type(static_cast<dsr::v1::RequestType>(type));
  for (int i = 0; i < subject.identifiers_size() && i < static_cast<int>(proofs.size()); ++i) {
    if (!proofs[i].has_value()) continue;
    auto* verified = statement.add_verified_identifiers();
    verified->mutable_identifier()->set_type(
        static_cast<dsr::v1::SubjectIdentifier::Type>(subject.identifiers(i).type()));
    verified->mutable_identifier()->set_value(subject.identifiers(i).value());
    verified->set_method(static_cast<dsr::v1::VerificationMethod>(proofs[i]->method));
    *verified->mutable_verify_time() = ToProtoTime(proofs[i]->verify_time);
  }
  *statement.mutable_issue_time() = ToProtoTime(now);
  statement.set_purpose(std::string(kAttestationPurpose));
  dsr::storage::v1::AttestationRecord record;
  if (!statement.SerializeToString(record.mutable_statement())) {
    return absl::InternalError("cannot serialize an attestation");
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return absl::ResourceExhaustedError("out of memory signing");
  std::string signature(64, '\0');
  size_t length = signature.size();
  const bool signed_ok =
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, private_key_.get()) == 1 &&
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(record.statement().data()),
                     record.statement().size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!signed_ok || length != 64) return absl::InternalError("Ed25519 signing failed");
  record.set_signature(std::move(signature));
  record.set_key_id(key_.key_id());
  return record;
}

}  // namespace dsr::broker
