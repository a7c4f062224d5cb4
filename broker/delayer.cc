#include "broker/delayer.h"

#include <algorithm>
#include <vector>

namespace dsr::broker {

Delayer::Delayer() : thread_([this] { Loop(); }) {}

Delayer::~Delayer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Delayer::After(absl::Duration delay, std::function<void()> work) {
  if (delay <= absl::ZeroDuration()) {
    work();
    return;
  }
  absl::MutexLock lock(&mu_);
  due_.emplace(absl::Now() + delay, std::move(work));
}

void Delayer::Flush() {
  std::multimap<absl::Time, std::function<void()>> all;
  {
    absl::MutexLock lock(&mu_);
    all.swap(due_);
  }
  for (auto& [time, work] : all) work();
}

void Delayer::Loop() {
  while (true) {
    std::vector<std::function<void()>> ready;
    {
      absl::MutexLock lock(&mu_);
      const auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (!due_.empty() && due_.begin()->first <= absl::Now());
      };
      // The earliest item's time, or a while if none: new items wake the
      // condition through the mutex.
      const absl::Time soon = absl::Now() + absl::Milliseconds(100);
      const absl::Time next = due_.empty() ? soon : std::min(soon, due_.begin()->first);
      mu_.AwaitWithDeadline(absl::Condition(&woken), next);
      const absl::Time now = absl::Now();
      while (!due_.empty() && (stopping_ || due_.begin()->first <= now)) {
        ready.push_back(std::move(due_.begin()->second));
        due_.erase(due_.begin());
      }
      if (stopping_ && ready.empty()) return;
    }
    for (auto& work : ready) work();
  }
}

}  // namespace dsr::broker
