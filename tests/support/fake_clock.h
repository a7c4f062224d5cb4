#ifndef DSR_TESTS_SUPPORT_FAKE_CLOCK_H_
#define DSR_TESTS_SUPPORT_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"

namespace dsr::testing {

// A clock that moves only when told. It can also be held: while held, Now()
// blocks, which lets a test stop a call in the middle of its work.
// Thread-safe.
class FakeClock final : public broker::Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1767225600))  // 2026-01-01
      : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    ++waiting_;
    mu_.Await(absl::Condition(&NotHeld, &held_));
    --waiting_;
    return now_;
  }
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  // Blocks until some caller of Now() is held.
  void AwaitHeldCaller() const {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&Positive, &waiting_));
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
  static bool NotHeld(const bool* held) { return !*held; }
  static bool Positive(int* n) { return *n > 0; }

  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  mutable int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_FAKE_CLOCK_H_
