#include "broker/privacy/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/privacy/aead.h"

namespace dsr::broker {

absl::StatusOr<std::optional<std::string>> ReadSecretFile(const std::string& path,
                                                          absl::string_view what) {
  // One open file for the check and the read, so that what is checked is
  // what is read; a symbolic link is refused rather than followed.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return absl::UnavailableError(
        absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  std::string contents;
  bool ok = ::fstat(fd, &st) == 0;
  if (ok && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(what, " ", path, " is readable by others; chmod 600 it"));
  }
  char buffer[4096];
  ssize_t n = 0;
  while (ok && (n = ::read(fd, buffer, sizeof(buffer))) > 0 && contents.size() < (1 << 16)) {
    contents.append(buffer, static_cast<size_t>(n));
  }
  ok = ok && n >= 0;
  ::close(fd);
  if (!ok) return absl::UnavailableError(absl::StrCat("cannot read ", what, " ", path));
  std::string value(absl::StripAsciiWhitespace(contents.substr(0, contents.find('\n'))));
  if (value.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, " is empty"));
  }
  return value;
}

absl::Status WriteSecretFile(const std::string& path, absl::string_view line,
                             absl::string_view what) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", what, " ", path, ": ", std::strerror(errno)));
  }
  const std::string contents = absl::StrCat(line, "\n");
  bool ok =
      ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());  // no half-written secret left behind
    return absl::UnavailableError(absl::StrCat("cannot write ", what, " ", path));
  }
  // The file's directory entry must be durable too, before any data is
  // sealed with the key: a power loss must not keep the data and lose it.
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ok = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  if (dir_fd >= 0) ::close(dir_fd);
  if (!ok) {
    return absl::UnavailableError(
        absl::StrCat("cannot sync the directory of ", what, " ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& path, absl::string_view what,
                                                bool may_create) {
  absl::StatusOr<std::optional<std::string>> read = ReadSecretFile(path, what);
  if (!read.ok()) return read.status();
  if (!read->has_value()) {
    if (!may_create) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " ", path,
          " is missing and the database already holds data that needs it; restore the file "
          "(a new key cannot read what the old one wrote)"));
    }
    std::string key = RandomBytes(kAeadKeyBytes);
    absl::Status written = WriteSecretFile(path, absl::BytesToHexString(key), what);
    if (!written.ok()) return written;
    return key;
  }
  const std::string& hex = **read;
  const bool is_hex =
      hex.size() == 2 * kAeadKeyBytes &&
      std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); });
  if (!is_hex) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " ", path, " must hold 64 hexadecimal digits (openssl rand -hex 32)"));
  }
  return absl::HexStringToBytes(hex);
}

}  // namespace dsr::broker
