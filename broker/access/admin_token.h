#ifndef DSR_BROKER_ACCESS_ADMIN_TOKEN_H_
#define DSR_BROKER_ACCESS_ADMIN_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"

namespace dsr::broker {

struct AdminToken {
  // SHA-256 of the token; the token itself is not kept in memory.
  std::string digest;
  // Whether the file was created by this call.
  bool created = false;
};

// Reads the admin token from the first line of the file at `path`. When the
// file does not exist, makes a new token and writes it there with mode 0600
// (the directory is created if needed). FAILED_PRECONDITION if the file is
// empty or readable by group or others; UNAVAILABLE if it cannot be read or
// written.
absl::StatusOr<AdminToken> LoadOrCreateAdminToken(const std::string& path);

}  // namespace dsr::broker

#endif  // DSR_BROKER_ACCESS_ADMIN_TOKEN_H_
