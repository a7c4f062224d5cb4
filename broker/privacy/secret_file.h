#ifndef DSR_BROKER_PRIVACY_SECRET_FILE_H_
#define DSR_BROKER_PRIVACY_SECRET_FILE_H_

// Files that hold the broker's secrets (the admin token, the master key, the
// pseudonym pepper): created with mode 0600, refused when group or others
// may read them.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dsr::broker {

// The first line of the file at `path`, without surrounding whitespace, or
// nullopt if there is no file. FAILED_PRECONDITION if it is readable by group
// or others, or empty; UNAVAILABLE if it cannot be read. `what` names the
// file in messages ("admin token file").
absl::StatusOr<std::optional<std::string>> ReadSecretFile(const std::string& path,
                                                          absl::string_view what);

// Creates the file at `path` (and its directory) with mode 0600 holding
// `line` and a newline, synced. UNAVAILABLE if it exists or cannot be
// written.
absl::Status WriteSecretFile(const std::string& path, absl::string_view line,
                             absl::string_view what);

// A 256-bit key kept in the file at `path` as 64 hexadecimal digits. When
// there is no file and `may_create`, makes a random key and writes it there.
// FAILED_PRECONDITION if the file is missing (and may not be made), readable
// by others, or not 64 hexadecimal digits. Returns the 32 raw bytes.
absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& path, absl::string_view what,
                                                bool may_create);

}  // namespace dsr::broker

#endif  // DSR_BROKER_PRIVACY_SECRET_FILE_H_
