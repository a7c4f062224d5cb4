#ifndef DSR_STORAGE_ROCKSDB_STORE_H_
#define DSR_STORAGE_ROCKSDB_STORE_H_

// The embedded store (storage/store.h) on one RocksDB database with a column
// family per kind of record: the broker's default backend. What is
// RocksDB's own stays here: its options, the file-system hooks that the
// power-loss and full-disk tests use (StoreOptions::env), compaction, and
// online backups (storage/backups.h).

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Statistics;
}  // namespace rocksdb

namespace dsr::storage {

class DescriptorReserve;
class WalSyncer;
class WriteFence;

struct StoreOptions {
  // REQUIRED. Directory of the database; created if missing.
  std::string path;
  // Size of the shared block cache. Default: 64 MiB.
  size_t block_cache_bytes = 64 << 20;
  // Memtable size per column family. Small memtables keep inserts cheap
  // (a skip list's depth grows with it) at the cost of more, smaller
  // flushes. Default: 4 MiB.
  size_t write_buffer_bytes = 4 << 20;
  // Memtables of all column families together: past it, the largest is
  // flushed. With the block cache, this bounds the store's memory whatever
  // the number of records. Default: 64 MiB.
  size_t total_write_buffer_bytes = 64 << 20;
  // For tests: the RocksDB environment (its file system), e.g. one that
  // simulates power loss. Default (null): RocksDB's own.
  std::shared_ptr<rocksdb::Env> env = nullptr;
  // After a failed write (a full disk), how often to try to resume.
  // Default: 1 second.
  absl::Duration retry_interval = absl::Seconds(1);
  // Table files kept open at once (RocksDB's max_open_files), so that the
  // store's descriptors do not grow with the database. Default: 512.
  int max_open_files = 512;
  // Descriptors held in reserve for the store's opens, given up when the
  // process runs out (storage/descriptor_reserve.h). Default: 64.
  int reserved_descriptors = 64;
};

class RocksDbStore final : public Store {
 public:
  // Opens (creating when missing) the database at options.path with every
  // column family. Column families found on disk that this build does not
  // know are opened too, and left alone. UNAVAILABLE if the directory cannot
  // be used or is locked by another process; DATA_LOSS if it is corrupt.
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(const StoreOptions& options);

  // Closes the database. Everything committed is already on disk.
  ~RocksDbStore() override;
  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  // Reads the record under `key` into `*record`. NOT_FOUND if there is none;
  // DATA_LOSS if the stored bytes do not parse as `record`'s type.
  absl::Status Get(ColumnFamily cf, absl::string_view key,
                   google::protobuf::MessageLite* record) const override;

  // Reads the record with the greatest key in `cf` into `*record`. NOT_FOUND
  // if the family is empty; DATA_LOSS if it does not parse.
  absl::Status GetLast(ColumnFamily cf, google::protobuf::MessageLite* record) const override;

  // Whether `key` is present.
  absl::StatusOr<bool> Contains(ColumnFamily cf, absl::string_view key) const override;

  // Visits, in key order, every entry whose key starts with `prefix` and
  // sorts strictly after `start_after` (ignored when empty). Stops early when
  // `visit` returns false. The keys and values are valid only during the call.
  absl::Status Scan(ColumnFamily cf, absl::string_view prefix, absl::string_view start_after,
                    const Visitor& visit) const override;

  // Applies `batch` atomically and returns once it is synced to disk.
  // UNAVAILABLE if the store is not healthy (below), or the disk cannot
  // take the write: then nothing of the batch is applied, and the store is
  // unhealthy from then on until it recovers. UNAVAILABLE too if the sync
  // fails: then the batch may or may not be durable.
  absl::Status Commit(WriteBatch& batch) override;

  // Applies `batch` atomically, without waiting for a sync: reads see it at
  // once, and a crash before the next sync may lose it. Errors as Commit's.
  absl::Status Apply(WriteBatch& batch) override;

  // Calls `done` once every write applied before this call is durable: at
  // once, on this thread, when it already is (and no earlier callback is
  // still running); else on the syncing thread,
  // which `done` must not block for long. `done` gets UNAVAILABLE while the
  // store is unhealthy (health()), whether or not the writes are durable.
  // Callbacks run in the order they were registered: when AwaitDurable
  // returns, every callback registered before it has returned
  // (storage/wal_syncer.h).
  void WhenDurable(DurableCallback done) const override;
  // Blocks until every write applied before this call is durable.
  absl::Status AwaitDurable() const override;

  // OK while the store can make writes durable. UNAVAILABLE after a write
  // the database refused (a full disk, say): the store then refuses every
  // write, and fails every WhenDurable, until it recovers. When the failure
  // was in a table file (a flush or compaction), it recovers by itself: it
  // tries every retry_interval RocksDB's Resume, then a flush that makes
  // every write applied so far durable. When it was in the write-ahead log
  // (a write or a sync), only reopening the store clears it: needs_reopen()
  // then says so.
  absl::Status health() const override;
  bool needs_reopen() const override;

  // Told every change of health, on the syncing thread, in order: the
  // failure, then OK after a recovery. Add listeners before writing.
  void AddHealthListener(HealthListener listener) override;

  // Compacts every column family (tests and maintenance).
  absl::Status CompactAll();

  // Makes deleted records in `ranges` physically gone from the database's
  // files: flushes every column family (so that no live write-ahead log
  // still holds them) and rewrites the table files that overlap the ranges,
  // down to the bottom level. For data that must not outlive its deletion.
  absl::Status Scrub(const std::vector<KeyRange>& ranges) override;

  StoreStats Stats() const override;

 private:
  // Takes online backups of the database (storage/backups.h).
  friend class Backups;

  RocksDbStore() = default;

  // Reports a failure to the syncer (once it exists).
  void Failed(absl::Status failure);
  // The syncer's sync: refused after a failed log write (write_fence.h).
  absl::Status SyncLog();
  // The syncer's recovery after a failure (health()).
  absl::Status Recover();

  // Outlive the database (declared first, destroyed last). env_ is
  // base_env_'s file system (or RocksDB's own) behind the fence.
  std::shared_ptr<rocksdb::Env> base_env_;
  std::shared_ptr<rocksdb::Env> env_;
  std::shared_ptr<WriteFence> fence_;
  std::shared_ptr<DescriptorReserve> reserve_;
  std::atomic<bool> sync_failed_{false};
  std::atomic<bool> needs_reopen_{false};
  // Set once syncer_ exists.
  std::atomic<bool> ready_{false};
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<rocksdb::DB> db_;
  // Indexed by ColumnFamily; then handles of unknown families.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // Syncs for Apply's writes. Stopped before the database closes.
  std::unique_ptr<WalSyncer> syncer_;
};

}  // namespace dsr::storage

#endif  // DSR_STORAGE_ROCKSDB_STORE_H_
