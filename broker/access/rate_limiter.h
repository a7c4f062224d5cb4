#ifndef DSR_BROKER_ACCESS_RATE_LIMITER_H_
#define DSR_BROKER_ACCESS_RATE_LIMITER_H_

// Token buckets per key (a client address, a subject pseudonym): each key may
// spend `burst` tokens at once and regains `per_second` tokens a second.
// Thread-safe. Memory is bounded: at `max_keys` buckets, full ones (which
// behave exactly like absent ones) are dropped, then the fullest until half
// remain; drained buckets are forgotten last (a lenient failure, never a
// refusal of everyone).

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"

namespace dsr::broker {

struct RateLimit {
  // Tokens regained per second; 0 turns the limit off.
  double per_second = 0;
  // Tokens a full bucket holds: the most a key may spend at once. At least 1.
  double burst = 1;
};

class RateLimiter {
 public:
  // `clock` must outlive the limiter.
  RateLimiter(const Clock* clock, RateLimit limit, size_t max_keys = 100000)
      : clock_(clock), limit_(limit), max_keys_(max_keys) {}

  bool enabled() const { return limit_.per_second > 0; }

  // Keys with a bucket in memory.
  size_t tracked_keys() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return buckets_.size();
  }

  // Takes one token from the bucket of each of `keys` (a key given twice
  // counts once), or none if any is empty: then RESOURCE_EXHAUSTED
  // "<what>; retry in N s" with the wait until every bucket has a token again.
  absl::Status TakeAll(std::vector<std::string> keys, absl::string_view what)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Take(const std::string& key, absl::string_view what) { return TakeAll({key}, what); }

  // The same refusal as TakeAll when `key`'s bucket is empty, without taking.
  absl::Status Check(const std::string& key, absl::string_view what) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  // The bucket of `key`, refilled up to `now`.
  Bucket& Refill(const std::string& key, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Refusal(double missing, absl::string_view what) const;

  const Clock* const clock_;
  const RateLimit limit_;
  const size_t max_keys_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_ACCESS_RATE_LIMITER_H_
