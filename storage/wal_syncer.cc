#include "storage/wal_syncer.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace dsr::storage {

WalSyncer::WalSyncer(LastWritten last_written, Sync sync, uint64_t durable)
    : last_written_(std::move(last_written)), sync_(std::move(sync)), durable_(durable) {
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
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WalSyncer::HasWorkOrStopping));
      if (waiters_.empty()) return;  // stopping, and nobody waits
      // Waiters queued behind running callbacks may be durable already.
      released = TakeReleased();
      outcome = failure_;
      running_ = !released.empty();
    }
    if (released.empty()) {
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
        failure_ = absl::UnavailableError(
            absl::StrCat("the write-ahead log could not be synced, so nothing more can be made "
                         "durable until the broker restarts: ",
                         synced.message()));
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
