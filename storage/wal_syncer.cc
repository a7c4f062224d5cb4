#include "storage/wal_syncer.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace dsr::storage {

WalSyncer::WalSyncer(LastWritten last_written, Sync sync, uint64_t durable, Recover recover,
                     absl::Duration retry_interval)
    : last_written_(std::move(last_written)),
      sync_(std::move(sync)),
      recover_(std::move(recover)),
      retry_interval_(retry_interval),
      durable_(durable) {
  thread_ = std::thread([this] { SyncLoop(); });
}

WalSyncer::~WalSyncer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void WalSyncer::WhenDurable(uint64_t sequence, Done done) {
  absl::Status outcome;
  {
    absl::MutexLock lock(&mu_);
    // At once only when no released callback is still running: else this
    // one could return before an earlier one, and AwaitDurable would not
    // mean what it says. Queued, it runs after them, without a sync.
    if (running_ || (failure_.ok() && sequence > durable_)) {
      waiters_.push_back(Waiter{sequence, std::move(done)});
      return;
    }
    outcome = failure_;
  }
  std::move(done)(outcome);
}

absl::Status WalSyncer::AwaitDurable(uint64_t sequence) {
  absl::Notification synced;
  absl::Status outcome;
  WhenDurable(sequence, [&](absl::Status status) {
    outcome = std::move(status);
    synced.Notify();
  });
  synced.WaitForNotification();
  return outcome;
}

absl::Status WalSyncer::failure() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

void WalSyncer::Fail(absl::Status status) {
  absl::MutexLock lock(&mu_);
  SetFailure(std::move(status));
}

void WalSyncer::AddHealthListener(HealthListener listener) {
  absl::MutexLock lock(&mu_);
  listeners_.push_back(std::move(listener));
}

void WalSyncer::SetFailure(absl::Status status) {
  if (!failure_.ok()) return;
  failure_ = std::move(status);
  health_changed_ = true;
  next_retry_ = absl::Now() + retry_interval_;
}

void WalSyncer::TellListeners() {
  std::vector<HealthListener> listeners;
  absl::Status health;
  {
    absl::MutexLock lock(&mu_);
    if (!health_changed_) return;
    health_changed_ = false;
    listeners = listeners_;
    health = failure_;
  }
  for (const HealthListener& listener : listeners) listener(health);
}

void WalSyncer::MaybeRecover() {
  // Writes are refused while failed, so what recovery makes durable is at
  // least everything up to here.
  const uint64_t target = last_written_();
  absl::Status recovered = recover_();
  absl::MutexLock lock(&mu_);
  if (recovered.ok()) {
    failure_ = absl::OkStatus();
    durable_ = std::max(durable_, target);
    health_changed_ = true;
  } else {
    next_retry_ = absl::Now() + retry_interval_;
  }
}

uint64_t WalSyncer::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

std::vector<WalSyncer::Waiter> WalSyncer::TakeReleased() {
  std::vector<Waiter> released;
  if (!failure_.ok()) {
    released.swap(waiters_);
    return released;
  }
  // Stable, so that callbacks run in the order they were registered.
  auto still_waiting = std::stable_partition(
      waiters_.begin(), waiters_.end(), [this](const Waiter& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return w.sequence <= durable_;
      });
  std::move(waiters_.begin(), still_waiting, std::back_inserter(released));
  waiters_.erase(waiters_.begin(), still_waiting);
  return released;
}

void WalSyncer::SyncLoop() {
  while (true) {
    std::vector<Waiter> released;
    absl::Status outcome;
    bool recover = false;
    {
      absl::MutexLock lock(&mu_);
      if (failure_.ok() || recover_ == nullptr) {
        mu_.Await(absl::Condition(this, &WalSyncer::HasWorkOrStopping));
      } else {
        // Failed: wake for work, or when the next recovery is due.
        mu_.AwaitWithDeadline(absl::Condition(this, &WalSyncer::HasWorkOrStopping), next_retry_);
      }
      if (stopping_ && waiters_.empty() && !health_changed_) return;
      // Waiters queued behind running callbacks may be durable already;
      // after a failure, all are released with it.
      released = TakeReleased();
      outcome = failure_;
      running_ = !released.empty();
      recover = !failure_.ok() && recover_ != nullptr && !stopping_ && absl::Now() >= next_retry_;
    }
    TellListeners();
    if (released.empty() && recover) {
      MaybeRecover();
      continue;
    }
    if (released.empty()) {
      {
        absl::MutexLock lock(&mu_);
        // Nothing to sync for (woken to tell the listeners), or failed.
        if (waiters_.empty() || !failure_.ok()) continue;
      }
      // Everything applied up to `target` is in the log's file before the
      // sync starts, so the sync covers it. Waiters that arrive meanwhile
      // with a sequence up to `target` are released by this sync too.
      const uint64_t target = last_written_();
      absl::Status synced = sync_();
      absl::MutexLock lock(&mu_);
      ++syncs_;
      if (synced.ok()) {
        durable_ = std::max(durable_, target);
      } else {
        SetFailure(absl::UnavailableError(
            absl::StrCat("the write-ahead log could not be synced: ", synced.message())));
      }
      released = TakeReleased();
      outcome = failure_;
      running_ = !released.empty();
    }
    for (Waiter& waiter : released) std::move(waiter.done)(outcome);
    absl::MutexLock lock(&mu_);
    running_ = false;
  }
}

}  // namespace dsr::storage
