#ifndef DSR_STORAGE_WRITE_FENCE_H_
#define DSR_STORAGE_WRITE_FENCE_H_

// Keeps write-ahead-log syncs away from a log file whose write failed.
//
// RocksDB 7.8, as Debian builds it (assertions on), aborts the process when
// a log file is synced, or written again, after a write to it failed
// (WritableFileWriter's "previous error" assertion). A full disk would then
// crash the broker. The fence closes that window: its file system reports a
// failed write of a log file before RocksDB sees the error, and waits while
// a sync is under way; the syncer starts a sync only while no write has
// failed. A fence is never cleared: after a failed log write the store must
// be reopened (Store::needs_reopen), which makes a new one.
//
// Thread-safe.

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace dsr::storage {

class WriteFence {
 public:
  // The syncer, before it syncs the log: false (and nothing started) once a
  // write has failed. After true, call EndSync when the sync returns.
  bool BeginSync() ABSL_LOCKS_EXCLUDED(mu_);
  void EndSync() ABSL_LOCKS_EXCLUDED(mu_);

  // A write to a log file failed: no sync starts from now on. Returns once
  // the sync under way, if any, has ended, so that RocksDB learns of the
  // failure only when no sync can look at the file.
  void WriteFailed() ABSL_LOCKS_EXCLUDED(mu_);

  // Whether a log write has failed.
  bool write_failed() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
};

// `base` with every write-ahead-log file (`NNNNNN.log`) reporting its failed
// writes to `fence`. Other files pass through untouched.
std::shared_ptr<rocksdb::FileSystem> NewFencedFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                                         std::shared_ptr<WriteFence> fence);

}  // namespace dsr::storage

#endif  // DSR_STORAGE_WRITE_FENCE_H_
