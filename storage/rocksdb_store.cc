#include "storage/rocksdb_store.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/descriptor_reserve.h"
#include "storage/rocksdb_logger.h"
#include "storage/rocksdb_status.h"
#include "storage/wal_syncer.h"
#include "storage/write_fence.h"

namespace dsr::storage {
namespace {

rocksdb::ColumnFamilyOptions FamilyOptions(const StoreOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = options.write_buffer_bytes;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks live in the block cache too (RocksDB's default
  // keeps them beside it, one set per table file), so the store's memory is
  // bounded by its configuration, not by how many records it holds. They are
  // partitioned, so a lookup loads one small partition rather than a table's
  // whole index (multi-megabyte blocks thrash the cache: W4 ran 10 times
  // slower after W2 had stored 100,000 tasks), and kept in the cache's
  // high-priority pool; the top level and level 0 stay pinned.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.pin_top_level_index_and_filter = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  // Lookups of absent keys (an idempotency key's first use, say) are common:
  // a Bloom filter answers most of them without reading a data block.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

rocksdb::Slice ToSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Background errors (a failed flush or compaction, a failed log write) fail
// the store at once, so that health turns NOT_SERVING before a client write
// is refused. And the store alone recovers: RocksDB's own automatic recovery
// from a full disk would rewrite the buffer of a log write that failed (the
// caller was told UNAVAILABLE, "not applied") and could put a record twice
// in the log, damaging it in the middle.
class BackgroundErrors final : public rocksdb::EventListener {
 public:
  explicit BackgroundErrors(std::function<void(const rocksdb::Status&)> failed)
      : failed_(std::move(failed)) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (error != nullptr && !error->ok()) failed_(*error);
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error,
                            bool* auto_recovery) override {
    error.PermitUncheckedError();
    if (auto_recovery != nullptr) *auto_recovery = false;
  }

 private:
  const std::function<void(const rocksdb::Status&)> failed_;
};

// What a refused write tells its caller (and health says meanwhile).
absl::Status Refusal(const rocksdb::Status& error) {
  if (error.IsNoSpace()) {
    return absl::UnavailableError(
        "the disk is full: the broker takes no writes until space is freed, and resumes by "
        "itself once it is");
  }
  return absl::UnavailableError(
      absl::StrCat("the store cannot write (it retries by itself): ", error.ToString()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(const StoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("store path is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create data directory ", options.path, ": ", ec.message()));
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  // Recovery keeps a log whose last record was cut short (a write the crash
  // interrupted, never acknowledged) and refuses one damaged anywhere else:
  // RocksDB's default (point in time) would silently drop everything after
  // the damage, acknowledged writes included.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.db_write_buffer_size = options.total_write_buffer_bytes;
  // Not a LOG file in the database directory: RocksDB aborts on a full disk
  // after a failed write to it (storage/rocksdb_logger.h).
  db_options.info_log = NewStderrLogger();
  // Group commit (storage/wal_syncer.h) relies on RocksDB's default write
  // path: each write reaches the log file before its sequence number is
  // published. Do not turn on manual_wal_flush, enable_pipelined_write,
  // two_write_queues or unordered_write without revisiting it.
  // Every log file reports its failed writes to the fence, so that the
  // syncer never syncs a log that a write failed on (storage/write_fence.h).
  // Beneath the fence, a reserve of descriptors keeps the store's opens
  // going when connections take every other one (storage/descriptor_reserve.h).
  auto fence = std::make_shared<WriteFence>();
  auto reserve = std::make_shared<DescriptorReserve>(options.reserved_descriptors);
  rocksdb::Env* base_env = options.env != nullptr ? options.env.get() : rocksdb::Env::Default();
  std::shared_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(
      NewFencedFileSystem(NewReservedFileSystem(base_env->GetFileSystem(), reserve), fence));
  db_options.max_open_files = options.max_open_files;
  db_options.env = env.get();
  // Half the cache is the high-priority pool for index and filter blocks.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(
      options.block_cache_bytes, /*num_shard_bits=*/-1, /*strict_capacity_limit=*/false,
      /*high_pri_pool_ratio=*/0.5);
  rocksdb::ColumnFamilyOptions cf_options = FamilyOptions(options, cache);

  std::vector<std::string> names;
  for (ColumnFamily cf : kAllColumnFamilies) names.emplace_back(ColumnFamilyName(cf));
  names.emplace_back(rocksdb::kDefaultColumnFamilyName);
  // Families on disk that this build does not know (written by a newer
  // version) must be opened too, or RocksDB refuses to open the database.
  std::vector<std::string> existing;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing);
  if (listed.ok()) {
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, cf_options);

  std::unique_ptr<RocksDbStore> store(new RocksDbStore());
  RocksDbStore* const owner = store.get();
  db_options.listeners.push_back(std::make_shared<BackgroundErrors>(
      [owner](const rocksdb::Status& error) { owner->Failed(Refusal(error)); }));
  store->base_env_ = options.env;
  store->env_ = env;
  store->fence_ = fence;
  store->reserve_ = reserve;
  store->statistics_ = rocksdb::CreateDBStatistics();
  db_options.statistics = store->statistics_;
  rocksdb::DB* db = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(db_options, options.path, descriptors, &store->handles_, &db);
  if (!opened.ok()) return FromRocksDb(opened, absl::StrCat("open ", options.path));
  store->db_.reset(db);
  // What recovery replayed from the log may sit unsynced in the page cache
  // (the last process was killed before its sync): make it durable, since
  // the syncer below counts everything up to here as durable.
  rocksdb::Status synced = db->SyncWAL();
  if (!synced.ok()) return FromRocksDb(synced, "sync the write-ahead log at open");
  RocksDbStore* s = store.get();
  store->syncer_ = std::make_unique<WalSyncer>(
      [db] { return db->GetLatestSequenceNumber(); }, [s] { return s->SyncLog(); },
      db->GetLatestSequenceNumber(), [s] { return s->Recover(); }, options.retry_interval);
  store->ready_.store(true, std::memory_order_release);
  return store;
}

RocksDbStore::~RocksDbStore() {
  if (db_ == nullptr) return;
  // Make applied writes durable, and answer whoever still waits, before the
  // database closes. A failure was already reported to every waiter. (No
  // syncer when Open failed after opening the database.)
  if (syncer_ != nullptr) {
    AwaitDurable().IgnoreError();
    syncer_.reset();
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Every write was synced (by its commit or by the syncer just stopped), so
  // closing has nothing left to make durable; a failure here (already
  // reported by RocksDB's own log) cannot lose acknowledged data.
  db_->Close().PermitUncheckedError();
}

absl::Status RocksDbStore::Get(ColumnFamily cf, absl::string_view key,
                               google::protobuf::MessageLite* record) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[static_cast<int>(cf)], ToSlice(key), &value);
  if (s.IsNotFound()) return absl::NotFoundError("no such record");
  if (!s.ok()) return FromRocksDb(s, "get");
  if (!record->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("stored ", record->GetTypeName(), " in ",
                                            ColumnFamilyName(cf), " does not parse"));
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::GetLast(ColumnFamily cf, google::protobuf::MessageLite* record) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[static_cast<int>(cf)]));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocksDb(it->status(), "seek");
    return absl::NotFoundError("no such record");
  }
  if (!record->ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    return absl::DataLossError(absl::StrCat("stored ", record->GetTypeName(), " in ",
                                            ColumnFamilyName(cf), " does not parse"));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RocksDbStore::Contains(ColumnFamily cf, absl::string_view key) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[static_cast<int>(cf)], ToSlice(key), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocksDb(s, "get");
  return true;
}

absl::Status RocksDbStore::Scan(ColumnFamily cf, absl::string_view prefix,
                                absl::string_view start_after, const Visitor& visit) const {
  rocksdb::ReadOptions read_options;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, handles_[static_cast<int>(cf)]));
  if (!start_after.empty() && start_after.compare(prefix) >= 0) {
    it->Seek(ToSlice(start_after));
    if (it->Valid() && it->key() == ToSlice(start_after)) it->Next();
  } else {
    it->Seek(ToSlice(prefix));
  }
  for (; it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (!key.starts_with(ToSlice(prefix))) break;
    if (!visit(absl::string_view(key.data(), key.size()),
               absl::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocksDb(it->status(), "scan");
}

absl::Status RocksDbStore::Commit(WriteBatch& batch) {
  // Through the group syncer rather than a synced write: one syncing
  // thread is what keeps syncs away from a failed log (storage/write_fence.h).
  if (absl::Status applied = Apply(batch); !applied.ok()) return applied;
  return AwaitDurable();
}

absl::Status RocksDbStore::Apply(WriteBatch& batch) {
  if (absl::Status health = syncer_->failure(); !health.ok()) return health;
  // The neutral batch replayed into RocksDB's own (rocksdb::WriteBatch::Put
  // fails only past a maximum size, which the store never sets).
  rocksdb::WriteBatch write(batch.ByteSize() + 16 * static_cast<size_t>(batch.Count()));
  batch.ForEach([&](const WriteBatch::Op& op) {
    rocksdb::ColumnFamilyHandle* handle = handles_[static_cast<int>(op.cf)];
    if (op.is_delete) {
      write.Delete(handle, ToSlice(op.key)).PermitUncheckedError();
    } else {
      write.Put(handle, ToSlice(op.key), ToSlice(op.value)).PermitUncheckedError();
    }
  });
  rocksdb::Status written = db_->Write(rocksdb::WriteOptions(), &write);
  if (written.ok()) return absl::OkStatus();
  // The database refuses writes from now on (RocksDB stops on a failed
  // write) until recovered: so does the store, at once.
  absl::Status refused = Refusal(written);
  Failed(refused);
  return refused;
}

void RocksDbStore::Failed(absl::Status failure) {
  // A background error during Open, before the syncer exists, fails Open.
  if (ready_.load(std::memory_order_acquire)) syncer_->Fail(std::move(failure));
}

absl::Status RocksDbStore::SyncLog() {
  if (!fence_->BeginSync()) {
    return absl::UnavailableError("a write to the write-ahead log failed");
  }
  rocksdb::Status synced = db_->SyncWAL();
  fence_->EndSync();
  if (!synced.ok()) {
    // After a failed fsync the kernel may have dropped the pages it could
    // not write, and RocksDB cannot sync that log again: final.
    sync_failed_ = true;
    return FromRocksDb(synced, "sync the write-ahead log");
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::Recover() {
  // After a failed log write RocksDB 7.8 refuses to resume (its Resume
  // reports a fatal error), and its recovery would write the failed write's
  // buffer again; after a failed sync it cannot sync that log again. Only
  // reopening the database clears those: it replays what the log file holds
  // and drops a torn last record, so it loses nothing acknowledged.
  if (sync_failed_ || fence_->write_failed()) {
    needs_reopen_ = true;
    return absl::UnavailableError(
        "a write to the write-ahead log failed: the store must be reopened (the broker restarts "
        "it by itself)");
  }
  // A failed flush or compaction (the disk filled while writing a table
  // file): RocksDB resumes, then every write applied so far is flushed to
  // table files, so that all of it is durable whatever the log holds.
  rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok() && resumed.severity() >= rocksdb::Status::Severity::kFatalError) {
    // RocksDB will not resume after this failure (a new log file that could
    // not be opened, when connections took every descriptor, say): only
    // reopening clears it, and it replays the log, losing nothing
    // acknowledged. It is retried until it succeeds (the cause may last).
    needs_reopen_ = true;
    return absl::UnavailableError(absl::StrCat(
        "the store must be reopened (the broker restarts it by itself): ", resumed.ToString()));
  }
  if (!resumed.ok()) return FromRocksDb(resumed, "resume writing");
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  if (rocksdb::Status s = db_->Flush(flush, handles_); !s.ok()) return FromRocksDb(s, "flush");
  return SyncLog();
}

void RocksDbStore::WhenDurable(DurableCallback done) const {
  syncer_->WhenDurable(db_->GetLatestSequenceNumber(), std::move(done));
}

absl::Status RocksDbStore::AwaitDurable() const {
  return syncer_->AwaitDurable(db_->GetLatestSequenceNumber());
}

absl::Status RocksDbStore::health() const { return syncer_->failure(); }

bool RocksDbStore::needs_reopen() const { return needs_reopen_; }

void RocksDbStore::AddHealthListener(HealthListener listener) {
  syncer_->AddHealthListener(std::move(listener));
}

absl::Status RocksDbStore::CompactAll() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    rocksdb::Status s = db_->CompactRange(rocksdb::CompactRangeOptions(), handle, nullptr, nullptr);
    if (!s.ok()) return FromRocksDb(s, "compact");
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::Scrub(const std::vector<KeyRange>& ranges) {
  if (ranges.empty()) return absl::OkStatus();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = db_->Flush(flush, handles_);
  if (!s.ok()) return FromRocksDb(s, "flush");
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (const KeyRange& range : ranges) {
    const rocksdb::Slice first(range.first);
    const rocksdb::Slice last(range.last);
    s = db_->CompactRange(compact, handles_[static_cast<int>(range.cf)], &first, &last);
    if (!s.ok()) return FromRocksDb(s, "compact");
  }
  return absl::OkStatus();
}

StoreStats RocksDbStore::Stats() const {
  StoreStats stats;
  stats.commits = statistics_->getTickerCount(rocksdb::WRITE_DONE_BY_SELF) +
                  statistics_->getTickerCount(rocksdb::WRITE_DONE_BY_OTHER);
  stats.wal_syncs = statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED);
  stats.group_syncs = syncer_->syncs();
  return stats;
}

}  // namespace dsr::storage
