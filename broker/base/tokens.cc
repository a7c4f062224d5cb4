#include "broker/base/tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace dsr::broker {
namespace {

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    // Without randomness no credential can be made safely; carrying on would
    // hand out guessable tokens.
    std::fputs("fatal: OpenSSL RAND_bytes failed\n", stderr);
    std::abort();
  }
  return bytes;
}

}  // namespace

std::string NewToken(absl::string_view prefix) {
  return absl::StrCat(prefix, absl::WebSafeBase64Escape(RandomBytes(32)));
}

std::string NewRandomId(int bits) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  // One leading letter (4.7 bits, not counted) then 5 bits per character.
  const int chars = (bits + 4) / 5;
  std::string bytes = RandomBytes(chars + 1);
  std::string id;
  id.reserve(chars + 1);
  id.push_back(kAlphabet[static_cast<unsigned char>(bytes[0]) % 26]);
  for (int i = 1; i <= chars; ++i) id.push_back(kAlphabet[bytes[i] & 31]);
  return id;
}

std::string Sha256(absl::string_view data) {
  // Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up on
  // every call, which costs more than hashing a token.
  static const EVP_MD* const sha256 = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, sha256, nullptr) != 1) std::abort();
  return std::string(reinterpret_cast<const char*>(digest), size);
}

bool DigestsEqual(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dsr::broker
