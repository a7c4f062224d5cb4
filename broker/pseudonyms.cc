#include "broker/pseudonyms.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace dsr::broker {

std::string Pseudonyms::Digest(absl::string_view data) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), pepper_.data(), static_cast<int>(pepper_.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &len) == nullptr) {
    // HMAC-SHA256 over memory cannot fail short of a broken OpenSSL.
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Pseudonyms::Of(int type, absl::string_view normalised_value) const {
  return Digest(absl::StrCat(type, std::string(1, '\0'), normalised_value));
}

}  // namespace dsr::broker
