#ifndef DSR_TESTS_SUPPORT_WAIT_FOR_H_
#define DSR_TESTS_SUPPORT_WAIT_FOR_H_

// Waiting in tests for something another thread or process makes true, by
// looking again every few milliseconds until a deadline: the test goes on
// as soon as it is true, and fails (rather than hangs) if it never is. For
// "nothing happens", wait for a signal that comes after it instead.

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dsr::testing {

// Whether `done()` became true within `timeout`.
template <typename Predicate>
bool WaitFor(Predicate done, absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_WAIT_FOR_H_
