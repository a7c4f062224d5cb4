#ifndef DSR_TESTS_SUPPORT_POWER_LOSS_FS_H_
#define DSR_TESTS_SUPPORT_POWER_LOSS_FS_H_

// A RocksDB FileSystem that can simulate losing power, built on RocksDB's
// public FileSystemWrapper over the real file system.
//
// It keeps, for each file written since it was made, how much of the file is
// synced and whether the directory entry that created it is synced. Crash()
// is the moment the power goes: from then on syncs, renames and deletes
// pretend to succeed and do nothing (the database cannot tell, as it cannot
// tell when a real machine dies). After the database is closed, Restart()
// puts the files back in the state the power loss left: each file cut back
// to its last synced size, files created since their directory's last sync
// gone, renames since then undone. Appended data goes through to the real
// file at once (readers see it, as they would the page cache); what makes it
// "in memory only" is that Restart() drops it unless it was synced.
//
// A test must therefore count as acknowledged only what the database
// acknowledged before the test called Crash(). (Making the calls fail
// instead is another test, of I/O errors: RocksDB 7.8 as Debian builds it,
// with assertions on, aborts on some writes after a failed one.)
//
// This catches a missing sync, which killing the process (SIGKILL) cannot:
// the kernel keeps a killed process's unsynced writes.
//
// Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace dsr::testing {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  PowerLossFileSystem();

  const char* Name() const override { return "PowerLossFileSystem"; }

  // The power goes: from now on nothing more becomes durable (above).
  void Crash() ABSL_LOCKS_EXCLUDED(mu_);
  // After every database on this file system is closed: drops what a power
  // loss would have lost (above) and works normally again.
  void Restart() ABSL_LOCKS_EXCLUDED(mu_);

  // Counters since construction, for tests that check they saw something.
  int syncs() const ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes Restart() has cut from files in total.
  int64_t bytes_dropped() const ABSL_LOCKS_EXCLUDED(mu_);
  // Files Restart() has removed in total.
  int files_dropped() const ABSL_LOCKS_EXCLUDED(mu_);

  // An Env over this file system, for rocksdb::Options::env.
  static std::shared_ptr<rocksdb::Env> EnvOver(std::shared_ptr<PowerLossFileSystem> fs);

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
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // For the file and directory wrappers.
  rocksdb::IOStatus Appended(const std::string& name, uint64_t end) ABSL_LOCKS_EXCLUDED(mu_);
  // While held, every sync waits (the disk is slow), so a test can look at
  // what the database shows before its writes are durable.
  void HoldSyncs(bool hold) ABSL_LOCKS_EXCLUDED(mu_);
  // Called by the wrappers before a sync: waits while syncs are held.
  void AwaitSyncsAllowed() const ABSL_LOCKS_EXCLUDED(mu_);
  // Returns once a sync is waiting for HoldSyncs(false): a write was applied
  // and its sync is being held.
  void AwaitHeldSync() const ABSL_LOCKS_EXCLUDED(mu_);

  // Whether Crash() was called (and Restart() not since).
  bool crashed() const ABSL_LOCKS_EXCLUDED(mu_);
  void Synced(const std::string& name, uint64_t size) ABSL_LOCKS_EXCLUDED(mu_);
  void DirectorySynced(const std::string& dir) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct File {
    uint64_t size = 0;
    uint64_t synced = 0;
    // Whether the directory entry is durable.
    bool entry_synced = false;
  };
  // A rename not yet made durable by a sync of the directory.
  struct Rename {
    std::string from;
    std::string to;
    // `to`'s contents before, if it existed: a power loss brings them back.
    bool replaced = false;
    std::string old_contents;
  };

  void Track(const std::string& name, uint64_t size, bool entry_synced)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  mutable int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, File> files_ ABSL_GUARDED_BY(mu_);
  std::vector<Rename> renames_ ABSL_GUARDED_BY(mu_);
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t bytes_dropped_ ABSL_GUARDED_BY(mu_) = 0;
  int files_dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_POWER_LOSS_FS_H_
