#ifndef DSR_STORAGE_BACKUPS_H_
#define DSR_STORAGE_BACKUPS_H_

// Online backups of the store, kept in a backup directory by RocksDB's
// BackupEngine. A backup is a consistent copy of the whole database at one
// moment, taken while writes go on; backups share the table files they have
// in common, so each one after the first copies only what changed.
//
// Thread-safe: calls may run concurrently (RocksDB's engine blocks one
// creation while another runs or a backup is verified). A backup directory
// must be used by one Backups object (one process) at a time.
//
// What a backup holds is the database only: files kept outside it (the
// broker's key files, its admin token) must be kept apart by the operator.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/store.h"

namespace rocksdb {
class BackupEngine;
}  // namespace rocksdb

namespace dsr::storage {

// One backup in the directory.
struct BackupInfo {
  // 1, 2, 3, ... in the order the backups were made.
  uint32_t id = 0;
  // When it was taken, by the host's clock, to the second.
  absl::Time create_time = absl::UnixEpoch();
  // Bytes of its files. Files it shares with other backups count in each.
  uint64_t size_bytes = 0;
  // Number of its files (shared ones included).
  uint32_t file_count = 0;
};

class Backups {
 public:
  // Opens the backup directory at `dir`, creating it when missing.
  // UNAVAILABLE if it cannot be created or read.
  static absl::StatusOr<std::unique_ptr<Backups>> Open(const std::string& dir);

  ~Backups();
  Backups(const Backups&) = delete;
  Backups& operator=(const Backups&) = delete;

  const std::string& dir() const { return dir_; }

  // Takes a new backup of `store`, which stays open and may take writes
  // meanwhile: everything applied to the store before the call is in the
  // backup (memtables are flushed first), and of the writes applied during
  // it, a prefix in write order. UNAVAILABLE if the backup directory cannot
  // be written; a failed backup leaves the earlier ones intact.
  // FAILED_PRECONDITION for a store of another engine than RocksDB, which
  // backs itself up with its own tools.
  absl::StatusOr<BackupInfo> Create(Store& store);

  // Removes backup `id` (files it shares with other backups stay). NOT_FOUND
  // if there is none.
  absl::Status Delete(uint32_t id);

  // Makes a Create under way return soon with an error (for shutdown); later
  // calls of Create fail too.
  void Stop();

  // Every readable backup, oldest first.
  std::vector<BackupInfo> List() const;

  // The backup `id`. NOT_FOUND if there is none; DATA_LOSS if its
  // description in the directory is damaged.
  absl::StatusOr<BackupInfo> Get(uint32_t id) const;

  // Reads every file of backup `id` back and checks its size and checksum
  // against those recorded when it was written. NOT_FOUND if there is no
  // such backup; DATA_LOSS, naming the first bad file, if one is missing,
  // cut short or altered.
  absl::Status Verify(uint32_t id) const;

  // Restores backup `id` (default: the latest) of the backup directory
  // `backup_dir` as a new database in `db_dir`, which the store can then
  // open. The backup's files are checked against their checksums on the
  // way. FAILED_PRECONDITION, changing nothing, if `db_dir` exists and is
  // not empty; NOT_FOUND if `backup_dir` holds no such backup (or no backup
  // at all); DATA_LOSS if the backup is damaged. The database appears in
  // `db_dir` only once complete: an interrupted restore leaves `db_dir`
  // absent (and `db_dir`.restoring behind, which the next restore removes).
  static absl::StatusOr<BackupInfo> Restore(const std::string& backup_dir,
                                            std::optional<uint32_t> id, const std::string& db_dir);

 private:
  Backups(std::string dir, std::unique_ptr<rocksdb::BackupEngine> engine);

  const std::string dir_;
  const std::unique_ptr<rocksdb::BackupEngine> engine_;
};

}  // namespace dsr::storage

#endif  // DSR_STORAGE_BACKUPS_H_
