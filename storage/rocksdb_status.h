#ifndef DSR_STORAGE_ROCKSDB_STATUS_H_
#define DSR_STORAGE_ROCKSDB_STATUS_H_

// Internal to storage/: the one place where rocksdb::Status becomes
// absl::Status. Nothing outside storage/ includes this header.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace dsr::storage {

// Maps a RocksDB status to an absl::Status whose message starts with `what`
// (for example "commit"). IO errors and a full disk become UNAVAILABLE (the
// caller may retry later), corruption becomes DATA_LOSS.
absl::Status FromRocksDb(const rocksdb::Status& status, absl::string_view what);

}  // namespace dsr::storage

#endif  // DSR_STORAGE_ROCKSDB_STATUS_H_
