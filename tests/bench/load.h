#ifndef DSR_TESTS_BENCH_LOAD_H_
#define DSR_TESTS_BENCH_LOAD_H_

// Closed-loop load: keeps a fixed number of calls in flight for a while and
// measures each call's latency.

#include <functional>
#include <vector>

#include "absl/time/time.h"

namespace dsr::bench {

struct LoadResult {
  int64_t calls = 0;
  int64_t failures = 0;
  absl::Duration elapsed;
  // Of the successful calls, sorted.
  std::vector<absl::Duration> latencies;

  double PerSecond() const;
  // `q` in [0, 1]; zero without calls.
  absl::Duration Quantile(double q) const;
};

// Starts one call; it must invoke `done(ok)` exactly once, from any thread.
using StartCall = std::function<void(std::function<void(bool ok)> done)>;

// Keeps `in_flight` calls going for `duration` (after `warmup`, not
// measured), then waits for the last ones.
LoadResult RunClosedLoop(int in_flight, absl::Duration warmup, absl::Duration duration,
                         const StartCall& start);

}  // namespace dsr::bench

#endif  // DSR_TESTS_BENCH_LOAD_H_
