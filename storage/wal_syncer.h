#ifndef DSR_STORAGE_WAL_SYNCER_H_
#define DSR_STORAGE_WAL_SYNCER_H_

// Group commit for writes applied without a sync. Writers apply their batch
// unsynced (fast, and in order, under whatever lock orders them), then ask to
// be told when it is durable. One thread syncs the write-ahead log on behalf
// of every waiter at once: a sync covers every write applied before it
// started, so N writers that arrive during one sync share the next one.
//
// A failure (of a sync, or one the owner reports with Fail, such as a write
// refused on a full disk) fails every waiter, present and future, until the
// owner's Recover function succeeds: the thread tries it every
// `retry_interval`. Recover must make durable every write applied before it
// (the store flushes its memtables) or fail. Without one a failure is final,
// because after a failed fsync the kernel may have dropped the unsynced pages
// while the database still shows them.
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dsr::storage {

class WalSyncer {
 public:
  // Sequence number of the last applied write.
  using LastWritten = std::function<uint64_t()>;
  // Makes durable every write applied before the call.
  using Sync = std::function<absl::Status()>;
  // Told the outcome: OK once durable, else the sync's error.
  using Done = absl::AnyInvocable<void(absl::Status) &&>;
  // After a failure: makes every write applied so far durable and the log
  // writable again, or fails.
  using Recover = std::function<absl::Status()>;
  // Told each change of health (the new failure, or OK after a recovery),
  // on the syncing thread, in order.
  using HealthListener = std::function<void(const absl::Status&)>;

  // Writes up to `durable` are durable already (those recovered at open).
  // Starts the syncing thread. A null `recover` makes failures final.
  WalSyncer(LastWritten last_written, Sync sync, uint64_t durable, Recover recover = nullptr,
            absl::Duration retry_interval = absl::Seconds(1));
  // Syncs for the waiters still waiting, then stops the thread.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Calls `done` once every write up to `sequence` is durable: at once on
  // this thread if it already is (or a sync has failed) and no earlier
  // callback is still running, else on the syncing thread (without a new
  // sync if none is needed), which `done` must not block for long. Callbacks run in the
  // order they were registered: one registered later never runs, at once or
  // not, while an earlier one is still queued or running on the syncing
  // thread (and one run at once returns before its WhenDurable does). So
  // when AwaitDurable returns, every callback registered before it is done.
  void WhenDurable(uint64_t sequence, Done done) ABSL_LOCKS_EXCLUDED(mu_);

  // Blocks until every write up to `sequence` is durable; the sync's error
  // if it failed.
  absl::Status AwaitDurable(uint64_t sequence) ABSL_LOCKS_EXCLUDED(mu_);

  // OK, or the failure that holds every waiter (until a recovery).
  absl::Status failure() const ABSL_LOCKS_EXCLUDED(mu_);

  // The owner reports a failure (a write the database refused): waiters get
  // `status` until a recovery. Ignored while already failed.
  void Fail(absl::Status status) ABSL_LOCKS_EXCLUDED(mu_);

  // Adds a listener for changes of health.
  void AddHealthListener(HealthListener listener) ABSL_LOCKS_EXCLUDED(mu_);

  // Syncs done so far.
  uint64_t syncs() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Waiter {
    uint64_t sequence;
    Done done;
  };

  void SyncLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // Removes and returns the waiters that are durable (all, after a failure),
  // in the order they came.
  std::vector<Waiter> TakeReleased() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !waiters_.empty() || health_changed_;
  }
  // Sets the failure (if none yet) and has the listeners told.
  void SetFailure(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Tells the listeners, if health changed; on the syncing thread.
  void TellListeners() ABSL_LOCKS_EXCLUDED(mu_);
  // After a failure, tries to recover when the retry is due.
  void MaybeRecover() ABSL_LOCKS_EXCLUDED(mu_);

  const LastWritten last_written_;
  const Sync sync_;
  const Recover recover_;
  const absl::Duration retry_interval_;
  mutable absl::Mutex mu_;
  uint64_t durable_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  absl::Time next_retry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool health_changed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<HealthListener> listeners_ ABSL_GUARDED_BY(mu_);
  uint64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  // Whether the syncing thread is running released callbacks.
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dsr::storage

#endif  // DSR_STORAGE_WAL_SYNCER_H_
