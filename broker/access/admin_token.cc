#include "broker/access/admin_token.h"

#include "broker/base/tokens.h"
#include "broker/privacy/secret_file.h"

namespace dsr::broker {

absl::StatusOr<AdminToken> LoadOrCreateAdminToken(const std::string& path) {
  constexpr absl::string_view kWhat = "admin token file";
  AdminToken result;
  absl::StatusOr<std::optional<std::string>> read = ReadSecretFile(path, kWhat);
  if (!read.ok()) return read.status();
  if (read->has_value()) {
    result.digest = Sha256(**read);
    return result;
  }
  std::string token = NewToken(kAdminTokenPrefix);
  absl::Status written = WriteSecretFile(path, token, kWhat);
  if (!written.ok()) return written;
  result.digest = Sha256(token);
  result.created = true;
  return result;
}

}  // namespace dsr::broker
