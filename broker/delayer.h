#ifndef DSR_BROKER_DELAYER_H_
#define DSR_BROKER_DELAYER_H_

// Runs work after a delay, on a thread of its own, without holding a thread
// per delayed item: the answers to failed authentications wait here, so that
// a caller who guesses credentials pays for each guess in time. Thread-safe.

#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dsr::broker {

class Delayer {
 public:
  Delayer();
  // Runs whatever is still waiting, at once, then stops.
  ~Delayer();
  Delayer(const Delayer&) = delete;
  Delayer& operator=(const Delayer&) = delete;

  // Runs `work` once `delay` has passed (at once for a zero delay, on the
  // calling thread). `work` must not block for long.
  void After(absl::Duration delay, std::function<void()> work) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs everything waiting now, on the calling thread (shutdown: nothing
  // may wait past the server).
  void Flush() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::multimap<absl::Time, std::function<void()>> due_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_DELAYER_H_
