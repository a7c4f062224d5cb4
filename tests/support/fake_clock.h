#ifndef DSR_TESTS_SUPPORT_FAKE_CLOCK_H_
#define DSR_TESTS_SUPPORT_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "broker/clock.h"

namespace dsr::testing {

// A clock that moves only when told. Thread-safe.
class FakeClock final : public broker::Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1767225600))  // 2026-01-01
      : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_FAKE_CLOCK_H_
