#ifndef DSR_STORAGE_STORE_H_
#define DSR_STORAGE_STORE_H_

// The broker's durable store, whatever the engine: ordered keys and values
// in column families (storage/column_family.h), atomic batches, "apply, then
// tell when durable", scans and health. The embedded RocksDB store
// (storage/rocksdb_store.h) is one implementation. Thread-safe: any number
// of threads may read and write concurrently.
//
// Two ways to write. Commit applies a batch and returns once it is durable.
// Apply applies it at once, visible to every read, and WhenDurable then tells
// when it is durable; one sync (or commit acknowledgement) serves every
// write applied before it (group commit), so writers that must apply in
// order under a lock need not hold it across an fsync. Whoever applies
// writes must not report them, or anything read after them, before
// WhenDurable says so.
//
// What the broker's domain assumes beyond this interface (that one process
// owns the database) is in docs/DESIGN.md, "One process owns the database".

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "storage/column_family.h"
#include "storage/write_batch.h"

namespace dsr::storage {

// Keys from `first` to `last`, both included, of one column family.
struct KeyRange {
  ColumnFamily cf;
  std::string first;
  std::string last;
};

// Counters since the store was opened.
struct StoreStats {
  // Write batches committed.
  uint64_t commits = 0;
  // Syncs that made writes durable. Smaller than `commits` when writes share
  // syncs.
  uint64_t wal_syncs = 0;
  // Of those, the group syncer's.
  uint64_t group_syncs = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Reads the record under `key` into `*record`. NOT_FOUND if there is none;
  // DATA_LOSS if the stored bytes do not parse as `record`'s type.
  virtual absl::Status Get(ColumnFamily cf, absl::string_view key,
                           google::protobuf::MessageLite* record) const = 0;

  // Reads the record with the greatest key in `cf` into `*record`. NOT_FOUND
  // if the family is empty; DATA_LOSS if it does not parse.
  virtual absl::Status GetLast(ColumnFamily cf, google::protobuf::MessageLite* record) const = 0;

  // Whether `key` is present.
  virtual absl::StatusOr<bool> Contains(ColumnFamily cf, absl::string_view key) const = 0;

  // Visits, in key order, every entry whose key starts with `prefix` and
  // sorts strictly after `start_after` (ignored when empty). Stops early when
  // `visit` returns false. The keys and values are valid only during the
  // call. storage/typed_scan.h parses the values as records.
  using Visitor = std::function<bool(absl::string_view key, absl::string_view value)>;
  virtual absl::Status Scan(ColumnFamily cf, absl::string_view prefix,
                            absl::string_view start_after, const Visitor& visit) const = 0;

  // A new, empty batch (backend-neutral: any store applies it).
  WriteBatch NewWriteBatch() const { return WriteBatch(); }

  // Applies `batch` atomically and returns once it is durable. UNAVAILABLE
  // if the store is not healthy (below), or cannot take the write: then
  // nothing of the batch is applied, and the store is unhealthy from then
  // on until it recovers. UNAVAILABLE too if making it durable fails: then
  // the batch may or may not be durable.
  virtual absl::Status Commit(WriteBatch& batch) = 0;

  // Applies `batch` atomically, without waiting for it to be durable: reads
  // see it at once, and a crash before the next sync may lose it. Errors as
  // Commit's.
  virtual absl::Status Apply(WriteBatch& batch) = 0;

  // Calls `done` once every write applied before this call is durable: at
  // once, on this thread, when it already is (and no earlier callback is
  // still running); else on the store's syncing thread, which `done` must
  // not block for long. `done` gets UNAVAILABLE while the store is
  // unhealthy, whether or not the writes are durable. Callbacks run in the
  // order they were registered: when AwaitDurable returns, every callback
  // registered before it has returned.
  using DurableCallback = absl::AnyInvocable<void(absl::Status) &&>;
  virtual void WhenDurable(DurableCallback done) const = 0;
  // Blocks until every write applied before this call is durable.
  virtual absl::Status AwaitDurable() const = 0;

  // OK while the store can make writes durable; UNAVAILABLE after a write it
  // could not take, until it recovers (by itself, or only by reopening:
  // needs_reopen() then says so).
  virtual absl::Status health() const = 0;
  virtual bool needs_reopen() const = 0;

  // Told every change of health, in order: the failure, then OK after a
  // recovery. Add listeners before writing.
  using HealthListener = std::function<void(const absl::Status&)>;
  virtual void AddHealthListener(HealthListener listener) = 0;

  // Makes deleted records in `ranges` physically gone from the store's
  // files, for data that must not outlive its deletion (retention).
  virtual absl::Status Scrub(const std::vector<KeyRange>& ranges) = 0;

  virtual StoreStats Stats() const = 0;
};

}  // namespace dsr::storage

#endif  // DSR_STORAGE_STORE_H_
