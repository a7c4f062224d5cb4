#include "client/cli/receipts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/private_files.h"
#include "openssl/rand.h"

namespace dsr::client {
namespace {

// `requests/abc` -> `abc`, the file's name; anything else is refused so that
// a name can never point outside the directory.
absl::StatusOr<std::string> FileName(const std::string& request_name) {
  if (!absl::StartsWith(request_name, "requests/")) {
    return absl::InvalidArgumentError("a request is named requests/{request}");
  }
  std::string id = request_name.substr(9);
  if (id.empty() || id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != id.npos) {
    return absl::InvalidArgumentError("a request is named requests/{request}");
  }
  return id;
}

// `dsr_receipt_` and 256 random bits in base64url, as the broker makes them.
absl::StatusOr<std::string> NewReceipt() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::UnavailableError("cannot draw random bytes for a receipt");
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "dsr_receipt_";
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      token.push_back(kAlphabet[(buffer >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) token.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return token;
}

// A request id as a file name: the broker's own rule for keys.
bool SafeKey(const std::string& key) {
  return !key.empty() && key.size() <= 64 &&
         key.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == key.npos;
}

}  // namespace

absl::StatusOr<std::string> ReceiptStore::ReceiptForSubmit(const std::string& request_id) const {
  if (request_id.empty()) return NewReceipt();
  if (!SafeKey(request_id)) {
    return absl::InvalidArgumentError("--request-id must be 1-64 characters of [A-Za-z0-9_-]");
  }
  const std::string path = absl::StrCat(dir_, "/pending-", request_id);
  if (absl::StatusOr<std::string> kept = ReadLine(path); kept.ok()) return kept;
  absl::StatusOr<std::string> made = NewReceipt();
  if (!made.ok()) return made;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec || ::chmod(dir_.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir_));
  }
  absl::Status saved = WritePrivate(path, *made + "\n");
  if (!saved.ok()) return saved;
  return made;
}

void ReceiptStore::Filed(const std::string& request_id) const {
  if (SafeKey(request_id)) ::unlink(absl::StrCat(dir_, "/pending-", request_id).c_str());
}

ReceiptStore::ReceiptStore(std::string data_dir)
    : dir_((data_dir.empty() ? DefaultDataDir() : data_dir) + "/receipts") {}

absl::Status ReceiptStore::Save(const std::string& request_name, const std::string& token) const {
  absl::StatusOr<std::string> file = FileName(request_name);
  if (!file.ok()) return file.status();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec || ::chmod(dir_.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir_));
  }
  absl::Status saved = WritePrivate(absl::StrCat(dir_, "/", *file), token + "\n");
  if (!saved.ok()) return saved;
  return WritePrivate(absl::StrCat(dir_, "/latest"), request_name + "\n");
}

absl::StatusOr<std::string> ReceiptStore::Load(const std::string& request_name) const {
  absl::StatusOr<std::string> file = FileName(request_name);
  if (!file.ok()) return file.status();
  absl::StatusOr<std::string> token = ReadLine(absl::StrCat(dir_, "/", *file));
  if (!token.ok()) {
    return absl::NotFoundError(
        absl::StrCat("no receipt kept for ", request_name, " in ", dir_, "; pass it with --token"));
  }
  return token;
}

absl::StatusOr<std::string> ReceiptStore::Latest() const {
  absl::StatusOr<std::string> name = ReadLine(absl::StrCat(dir_, "/latest"));
  if (!name.ok()) {
    return absl::NotFoundError("no request filed from here yet; name one: dsr status REQUEST");
  }
  return name;
}

}  // namespace dsr::client
