#ifndef DSR_BROKER_BASE_EXECUTOR_H_
#define DSR_BROKER_BASE_EXECUTOR_H_

// A fixed pool of threads that runs queued work in order of submission.
// The service layer runs each call's domain logic here, off gRPC's own
// threads, because that logic may block on a synced disk write. Thread-safe.

#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace dsr::broker {

class Executor {
 public:
  // Starts `threads` (at least 1) worker threads.
  explicit Executor(int threads);
  // Runs everything already scheduled, then joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `work`. REQUIRES: the executor is not being destroyed.
  void Schedule(absl::AnyInvocable<void()> work) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void WorkLoop() ABSL_LOCKS_EXCLUDED(mu_);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_EXECUTOR_H_
