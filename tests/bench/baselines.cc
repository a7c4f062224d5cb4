#include "tests/bench/baselines.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/rocksdb_store.h"

namespace dsr::bench {

DurableWrites MeasureDurableWrites(const std::string& dir, int threads, int value_bytes,
                                   absl::Duration warmup, absl::Duration duration) {
  DurableWrites out;
  storage::StoreOptions options;
  options.path = dir;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::RocksDbStore::Open(options);
  if (!store.ok()) return out;
  dsr::storage::v1::SealedReportRecord value;
  value.set_sealed(std::string(value_bytes, 'v'));
  const absl::Time start = absl::Now();
  const absl::Time measure_from = start + warmup;
  const absl::Time stop_at = measure_from + duration;
  absl::Mutex mu;
  storage::StoreStats before;
  bool before_taken = false;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<absl::Duration> latencies;
      int64_t failures = 0;
      for (int64_t i = 0;; ++i) {
        const absl::Time began = absl::Now();
        if (began >= stop_at) break;
        storage::WriteBatch batch = (*store)->NewWriteBatch();
        batch.Put(storage::ColumnFamily::kReports, absl::StrCat(t, "/", i), value);
        const bool ok = (*store)->Commit(batch).ok();
        const absl::Time done = absl::Now();
        if (began < measure_from) continue;
        {
          absl::MutexLock lock(&mu);
          if (!before_taken) {
            before = (*store)->Stats();
            before_taken = true;
          }
        }
        if (done > stop_at) break;
        if (ok) {
          latencies.push_back(done - began);
        } else {
          ++failures;
        }
      }
      absl::MutexLock lock(&mu);
      out.load.calls += static_cast<int64_t>(latencies.size()) + failures;
      out.load.failures += failures;
      out.load.latencies.insert(out.load.latencies.end(), latencies.begin(), latencies.end());
    });
  }
  for (std::thread& w : workers) w.join();
  const storage::StoreStats after = (*store)->Stats();
  out.load.elapsed = duration;
  std::sort(out.load.latencies.begin(), out.load.latencies.end());
  const uint64_t syncs = after.wal_syncs - before.wal_syncs;
  const uint64_t commits = after.commits - before.commits;
  out.writes_per_sync = syncs > 0 ? static_cast<double>(commits) / syncs : 0;
  return out;
}

}  // namespace dsr::bench
