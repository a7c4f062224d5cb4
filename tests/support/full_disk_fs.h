#ifndef DSR_TESTS_SUPPORT_FULL_DISK_FS_H_
#define DSR_TESTS_SUPPORT_FULL_DISK_FS_H_

// A RocksDB FileSystem over the real one whose disk can be made "full":
// while it is, creating a file and every write (append, flush, allocation)
// fail with "no space left on device", as on a real full disk. Syncs of what
// was written before still succeed. For machines where a small tmpfs cannot
// be mounted; tests/e2e/full_disk_test.cc fills a real one where it can.
//
// Thread-safe.

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace dsr::testing {

class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // Which files a full disk refuses.
  enum class Refuses {
    kEverything,
    // All but write-ahead-log files (*.log): the disk fills while RocksDB
    // flushes or compacts, not while it logs a write.
    kAllButLogs,
    // Only write-ahead-log files: the disk fills while RocksDB logs a write
    // (a flush racing it cannot fail first and make the failure a table
    // file's).
    kOnlyLogs,
  };

  FullDiskFileSystem();

  const char* Name() const override { return "FullDiskFileSystem"; }

  void SetFull(bool full, Refuses refuses = Refuses::kEverything);
  // Writes refused so far.
  int refused() const { return refused_.load(); }

  // An Env over this file system, for rocksdb::Options::env.
  static std::shared_ptr<rocksdb::Env> EnvOver(std::shared_ptr<FullDiskFileSystem> fs);

  // Whether a write to `name` is refused now; counts it if so.
  bool Refuse(const std::string& name);

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override;

 private:
  std::atomic<bool> full_{false};
  std::atomic<bool> logs_too_{true};
  std::atomic<bool> only_logs_{false};
  std::atomic<int> refused_{0};
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_FULL_DISK_FS_H_
