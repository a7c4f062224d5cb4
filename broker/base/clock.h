#ifndef DSR_BROKER_BASE_CLOCK_H_
#define DSR_BROKER_BASE_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dsr::broker {

// Source of the current time for everything the broker stamps or compares
// (create times, deadlines). Injected so that tests control time.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_CLOCK_H_
