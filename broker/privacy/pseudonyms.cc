#include "broker/privacy/pseudonyms.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace dsr::broker {

namespace {

// HMAC-SHA256 over memory cannot fail short of a broken OpenSSL.
void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

void Pseudonyms::MacFree::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

Pseudonyms::Pseudonyms(std::string pepper) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  Require(hmac != nullptr);
  keyed_.reset(EVP_MAC_CTX_new(hmac));
  EVP_MAC_free(hmac);
  Require(keyed_ != nullptr);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  Require(EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(pepper.data()),
                       pepper.size(), params) == 1);
}

Pseudonyms::~Pseudonyms() = default;

std::string Pseudonyms::Digest(absl::string_view data) const {
  std::unique_ptr<EVP_MAC_CTX, MacFree> mac;
  {
    // OpenSSL does not promise that copying one context from many threads
    // at once is safe; the copy is short.
    absl::MutexLock lock(&mu_);
    mac.reset(EVP_MAC_CTX_dup(keyed_.get()));
  }
  Require(mac != nullptr);
  Require(EVP_MAC_update(mac.get(), reinterpret_cast<const unsigned char*>(data.data()),
                         data.size()) == 1);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  Require(EVP_MAC_final(mac.get(), out, &len, sizeof(out)) == 1);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Pseudonyms::Of(int type, absl::string_view normalised_value) const {
  return Digest(absl::StrCat(type, std::string(1, '\0'), normalised_value));
}

}  // namespace dsr::broker
