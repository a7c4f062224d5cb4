#ifndef DSR_STORAGE_ROCKSDB_LOGGER_H_
#define DSR_STORAGE_ROCKSDB_LOGGER_H_

// RocksDB's own diagnostics (its info log), written to standard error beside
// the broker's log lines instead of to a LOG file in the database directory.
//
// On a full disk RocksDB 7.8, as Debian builds it (assertions on), aborts the
// process on the next line it logs after a failed write to its LOG file.
// Standard error cannot fill the disk, and the operator finds RocksDB's
// warnings and errors where the broker's are. Lines below WARN are dropped
// (RocksDB's INFO level dumps every option and compaction).

#include <memory>

#include "rocksdb/env.h"

namespace dsr::storage {

std::shared_ptr<rocksdb::Logger> NewStderrLogger();

}  // namespace dsr::storage

#endif  // DSR_STORAGE_ROCKSDB_LOGGER_H_
