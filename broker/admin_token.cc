#include "broker/admin_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/tokens.h"

namespace dsr::broker {
namespace {

absl::Status WriteNewTokenFile(const std::string& path, const std::string& token) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create admin token file ", path, ": ", std::strerror(errno)));
  }
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::UnavailableError(absl::StrCat("cannot write admin token file ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AdminToken> LoadOrCreateAdminToken(const std::string& path) {
  AdminToken result;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::UnavailableError(
          absl::StrCat("cannot read admin token file ", path, ": ", std::strerror(errno)));
    }
    std::string token = NewToken(kAdminTokenPrefix);
    absl::Status written = WriteNewTokenFile(path, token);
    if (!written.ok()) return written;
    result.digest = Sha256(token);
    result.created = true;
    return result;
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("admin token file ", path, " is readable by others; chmod 600 it"));
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return absl::UnavailableError(absl::StrCat("cannot read admin token file ", path));
  }
  absl::string_view token = absl::StripAsciiWhitespace(line);
  if (token.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("admin token file ", path, " is empty"));
  }
  result.digest = Sha256(token);
  return result;
}

}  // namespace dsr::broker
