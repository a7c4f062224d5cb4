#ifndef DSR_CLIENT_CLI_PRIVATE_FILES_H_
#define DSR_CLIENT_CLI_PRIVATE_FILES_H_

// The person's private files of `dsr` (receipts, verification tokens): where
// they live and how one is written and read.

#include <string>

#include "absl/status/statusor.h"

namespace dsr::client {

// $XDG_DATA_HOME/dsr, else $HOME/.local/share/dsr.
std::string DefaultDataDir();
// Writes `content` to `path` (mode 0600) atomically, synced.
absl::Status WritePrivate(const std::string& path, const std::string& content);
// The first line of `path`, trimmed; NOT_FOUND if there is none.
absl::StatusOr<std::string> ReadLine(const std::string& path);
// Makes `dir` (mode 0700) if missing.
absl::Status MakePrivateDir(const std::string& dir);

}  // namespace dsr::client

#endif  // DSR_CLIENT_CLI_PRIVATE_FILES_H_
