#include "broker/access/delayer.h"

#include <algorithm>
#include <vector>

namespace dsr::broker {

Delayer::Delayer(size_t max_pending, size_t max_per_key)
    : max_pending_(max_pending), max_per_key_(max_per_key), thread_([this] { Loop(); }) {}

Delayer::~Delayer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Delayer::After(absl::Duration delay, const std::string& key, absl::AnyInvocable<void()> work) {
  {
    absl::MutexLock lock(&mu_);
    size_t& of_key = per_key_[key];
    if (delay > absl::ZeroDuration() && !flushed_ && due_.size() < max_pending_ &&
        of_key < 2 * max_per_key_) {
      ++of_key;
      due_.emplace(absl::Now() + delay, Item{key, std::move(work)});
      return;
    }
    if (of_key == 0) per_key_.erase(key);
  }
  work();
}

size_t Delayer::pending() const {
  absl::MutexLock lock(&mu_);
  return due_.size();
}

bool Delayer::Full(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = per_key_.find(key);
  return !flushed_ && it != per_key_.end() && it->second >= max_per_key_;
}

void Delayer::Flush() {
  std::multimap<absl::Time, Item> all;
  {
    absl::MutexLock lock(&mu_);
    flushed_ = true;
    all.swap(due_);
    per_key_.clear();
  }
  for (auto& [time, item] : all) item.work();
}

void Delayer::Loop() {
  while (true) {
    std::vector<absl::AnyInvocable<void()>> ready;
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
        Item& item = due_.begin()->second;
        auto of_key = per_key_.find(item.key);
        if (of_key != per_key_.end() && --of_key->second == 0) per_key_.erase(of_key);
        ready.push_back(std::move(item.work));
        due_.erase(due_.begin());
      }
      if (stopping_ && ready.empty()) return;
    }
    for (auto& work : ready) work();
  }
}

}  // namespace dsr::broker
