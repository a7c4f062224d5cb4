#include "client/attestation.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace dsr::client {

namespace {

constexpr char kPurpose[] = "dsr-broker attestation v1";

bool SignatureChecks(const std::string& public_key, const std::string& message,
                     const std::string& signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      EVP_PKEY_free);
  if (key == nullptr) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx != nullptr &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace

absl::Status CheckAttestation(const dsr::v1::Task& task,
                              const std::vector<dsr::v1::AttestationKey>& keys,
                              dsr::v1::AttestationStatement* statement) {
  if (!task.has_attestation()) {
    return absl::FailedPreconditionError(
        "the task carries no attestation: the broker filed it without verification");
  }
  const dsr::v1::Attestation& attestation = task.attestation();
  const dsr::v1::AttestationKey* key = nullptr;
  for (const auto& k : keys) {
    if (k.key_id() == attestation.key_id() && k.algorithm() == "Ed25519") key = &k;
  }
  if (key == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("the attestation is signed by key ",
                                                      attestation.key_id(),
                                                      ", which is not among the broker's keys"));
  }
  if (!SignatureChecks(key->public_key(), attestation.statement(), attestation.signature())) {
    return absl::DataLossError("the attestation's signature does not check");
  }
  dsr::v1::AttestationStatement said;
  if (!said.ParseFromString(attestation.statement()) || said.purpose() != kPurpose) {
    return absl::FailedPreconditionError("the attestation's statement is not one of the broker's");
  }
  const size_t slash = task.name().find("/tasks/");
  if (slash == std::string::npos || said.request() != task.name().substr(0, slash)) {
    return absl::FailedPreconditionError("the attestation is for another request");
  }
  if (said.request_type() != task.request_type()) {
    return absl::FailedPreconditionError("the attestation is for another type of request");
  }
  for (const auto& verified : said.verified_identifiers()) {
    bool found = false;
    for (const auto& id : task.subject_identifiers()) {
      found |=
          id.type() == verified.identifier().type() && id.value() == verified.identifier().value();
    }
    if (!found) {
      return absl::FailedPreconditionError(
          "the attestation names an identifier the task does not carry");
    }
  }
  if (statement != nullptr) *statement = std::move(said);
  return absl::OkStatus();
}

}  // namespace dsr::client
