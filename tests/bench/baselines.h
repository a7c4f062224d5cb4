#ifndef DSR_TESTS_BENCH_BASELINES_H_
#define DSR_TESTS_BENCH_BASELINES_H_

// The limits the broker's figures are divided by, measured in the same run:
// the RPC stack (echo_server.h) and durable writes on this disk.

#include <string>

#include "absl/time/time.h"
#include "tests/bench/load.h"

namespace dsr::bench {

struct DurableWrites {
  LoadResult load;
  // Writes per WAL sync: how much RocksDB's group commit merged.
  double writes_per_sync = 0;
};

// `threads` threads each committing a one-record WriteBatch of about
// `value_bytes` with sync=true, through the broker's Store (its RocksDB
// options), in a new database under `dir`.
DurableWrites MeasureDurableWrites(const std::string& dir, int threads, int value_bytes,
                                   absl::Duration warmup, absl::Duration duration);

}  // namespace dsr::bench

#endif  // DSR_TESTS_BENCH_BASELINES_H_
