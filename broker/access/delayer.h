#ifndef DSR_BROKER_ACCESS_DELAYER_H_
#define DSR_BROKER_ACCESS_DELAYER_H_

// Runs work after a delay, on a thread of its own, without holding a thread
// per delayed item: the answers to failed authentications wait here, so that
// a caller who guesses credentials pays for each guess in time. Bounded: at
// most `max_pending` items wait, and twice `max_per_key` of one key (a
// client address; Full says when it has `max_per_key`, and callers stop
// adding there: the rest is room for those that raced past the check);
// past either, work runs at once. Thread-safe.

#include <map>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dsr::broker {

class Delayer {
 public:
  explicit Delayer(size_t max_pending = 10000, size_t max_per_key = 100);
  // Runs whatever is still waiting, at once, then stops.
  ~Delayer();
  Delayer(const Delayer&) = delete;
  Delayer& operator=(const Delayer&) = delete;

  // Runs `work` once `delay` has passed; at once, on the calling thread, for
  // a zero delay, past the bounds, or after Flush. `work` must not block
  // for long.
  void After(absl::Duration delay, const std::string& key, absl::AnyInvocable<void()> work)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Items waiting.
  size_t pending() const ABSL_LOCKS_EXCLUDED(mu_);
  // Whether `key` has `max_per_key` items waiting: callers should add no
  // more of it.
  bool Full(const std::string& key) const ABSL_LOCKS_EXCLUDED(mu_);

  // Runs everything waiting now, on the calling thread, and everything
  // given later at once (shutdown: nothing may wait past the server).
  void Flush() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  struct Item {
    std::string key;
    absl::AnyInvocable<void()> work;
  };
  const size_t max_pending_;
  const size_t max_per_key_;
  mutable absl::Mutex mu_;
  std::multimap<absl::Time, Item> due_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> per_key_ ABSL_GUARDED_BY(mu_);
  bool flushed_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_ACCESS_DELAYER_H_
