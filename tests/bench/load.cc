#include "tests/bench/load.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace dsr::bench {

double LoadResult::PerSecond() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(calls - failures) / seconds : 0;
}

absl::Duration LoadResult::Quantile(double q) const {
  if (latencies.empty()) return absl::ZeroDuration();
  const size_t i = std::min(latencies.size() - 1, static_cast<size_t>(q * latencies.size()));
  return latencies[i];
}

namespace {

// Shared by the loops of one run.
struct Run {
  absl::Mutex mu;
  absl::Time measure_from;
  absl::Time stop_at;
  int running = 0;
  LoadResult result;
};

void Loop(const std::shared_ptr<Run>& run, const StartCall& start) {
  const absl::Time began = absl::Now();
  start([run, &start, began](bool ok) {
    const absl::Time now = absl::Now();
    bool again = false;
    {
      absl::MutexLock lock(&run->mu);
      if (began >= run->measure_from && now <= run->stop_at) {
        ++run->result.calls;
        if (ok) {
          run->result.latencies.push_back(now - began);
        } else {
          ++run->result.failures;
        }
      }
      again = now < run->stop_at;
      if (!again) --run->running;
    }
    if (again) Loop(run, start);
  });
}

}  // namespace

LoadResult RunClosedLoop(int in_flight, absl::Duration warmup, absl::Duration duration,
                         const StartCall& start) {
  auto run = std::make_shared<Run>();
  const absl::Time now = absl::Now();
  run->measure_from = now + warmup;
  run->stop_at = now + warmup + duration;
  run->running = in_flight;
  for (int i = 0; i < in_flight; ++i) Loop(run, start);
  absl::MutexLock lock(&run->mu);
  run->mu.Await(absl::Condition(
      +[](Run* r) { return r->running == 0; }, run.get()));
  run->result.elapsed = duration;
  std::sort(run->result.latencies.begin(), run->result.latencies.end());
  return run->result;
}

}  // namespace dsr::bench
