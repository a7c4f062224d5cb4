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

namespace dsr::client {
namespace {

std::string DefaultDataDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return absl::StrCat(xdg, "/dsr");
  }
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : ".", "/.local/share/dsr");
}

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

absl::Status WritePrivate(const std::string& path, const std::string& content) {
  // A name of its own, so that two runs writing at once do not collide.
  const std::string temp = absl::StrCat(path, ".", ::getpid(), ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot write ", temp));
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return absl::NotFoundError("not kept");
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace

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
