#include "storage/wal_syncer.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/wait_for.h"

namespace dsr::storage {
namespace {

// A log whose syncs the test holds open and lets go, so that it can see
// which waiters each sync releases.
class FakeLog {
 public:
  uint64_t Write() {
    absl::MutexLock lock(&mu_);
    return ++written_;
  }
  uint64_t LastWritten() {
    absl::MutexLock lock(&mu_);
    return written_;
  }
  // Blocks the syncing thread until Release; returns `fail_` if set.
  absl::Status Sync() {
    absl::MutexLock lock(&mu_);
    ++started_;
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return releases_ > 0 || open_; };
    mu_.Await(absl::Condition(&released));
    if (!open_) --releases_;
    return fail_;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    ++releases_;
  }
  void OpenUp() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  void FailSyncs() {
    absl::MutexLock lock(&mu_);
    fail_ = absl::DataLossError("EIO");
  }
  void AwaitSyncsStarted(int n) {
    absl::MutexLock lock(&mu_);
    auto started = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return started_ >= n; };
    mu_.Await(absl::Condition(&started));
  }

 private:
  absl::Mutex mu_;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  int releases_ ABSL_GUARDED_BY(mu_) = 0;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status fail_ ABSL_GUARDED_BY(mu_);
};

struct Outcome {
  absl::Notification done;
  absl::Status status;
  WalSyncer::Done Callback() {
    return [this](absl::Status s) {
      status = std::move(s);
      done.Notify();
    };
  }
};

TEST(WalSyncerTest, AlreadyDurableIsToldAtOnceWithoutASync) {
  FakeLog log;
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 5);
  Outcome outcome;
  syncer.WhenDurable(5, outcome.Callback());
  EXPECT_TRUE(outcome.done.HasBeenNotified());
  EXPECT_OK(outcome.status);
  EXPECT_EQ(syncer.syncs(), 0u);
}

TEST(WalSyncerTest, WritersArrivingDuringASyncShareTheNextOne) {
  FakeLog log;
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0);
  Outcome first;
  syncer.WhenDurable(log.Write(), first.Callback());
  log.AwaitSyncsStarted(1);  // the first sync is under way, covering write 1
  std::vector<Outcome> later(10);
  for (Outcome& o : later) syncer.WhenDurable(log.Write(), o.Callback());
  log.Release();
  first.done.WaitForNotification();
  EXPECT_OK(first.status);
  for (Outcome& o : later) EXPECT_FALSE(o.done.HasBeenNotified()) << "written after the sync began";
  log.AwaitSyncsStarted(2);
  log.Release();
  for (Outcome& o : later) {
    o.done.WaitForNotification();
    EXPECT_OK(o.status);
  }
  EXPECT_EQ(syncer.syncs(), 2u);  // 11 writes, 2 syncs
}

TEST(WalSyncerTest, AFailedSyncFailsEveryWaiterAndEveryLaterOne) {
  FakeLog log;
  log.FailSyncs();
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0);
  Outcome waiting;
  syncer.WhenDurable(log.Write(), waiting.Callback());
  log.Release();
  waiting.done.WaitForNotification();
  EXPECT_CODE(waiting.status, absl::StatusCode::kUnavailable);
  EXPECT_CODE(syncer.failure(), absl::StatusCode::kUnavailable);
  // Even a write that was durable before is refused now: the broker must
  // not go on as if nothing happened.
  // (Told without a sync; at once unless the syncing thread is still
  // finishing the failed waiters, then right after them.)
  Outcome later;
  syncer.WhenDurable(0, later.Callback());
  later.done.WaitForNotification();
  EXPECT_CODE(later.status, absl::StatusCode::kUnavailable);
  EXPECT_EQ(syncer.syncs(), 1u);
  EXPECT_CODE(syncer.AwaitDurable(log.Write()), absl::StatusCode::kUnavailable);
}

// The owner's recovery after a failure, which the test lets succeed.
class FakeRecovery {
 public:
  absl::Status Recover() {
    absl::MutexLock lock(&mu_);
    ++attempts_;
    return works_ ? absl::OkStatus() : absl::UnavailableError("still full");
  }
  void Work() {
    absl::MutexLock lock(&mu_);
    works_ = true;
  }
  void AwaitAttempts(int n) {
    absl::MutexLock lock(&mu_);
    auto tried = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return attempts_ >= n; };
    mu_.Await(absl::Condition(&tried));
  }
  // What the health listener heard, in order.
  void Heard(const absl::Status& health) {
    absl::MutexLock lock(&mu_);
    heard_.push_back(health);
  }
  std::vector<absl::Status> AwaitHeard(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return heard_.size() >= n; };
    mu_.Await(absl::Condition(&enough));
    return heard_;
  }

 private:
  absl::Mutex mu_;
  bool works_ ABSL_GUARDED_BY(mu_) = false;
  int attempts_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<absl::Status> heard_ ABSL_GUARDED_BY(mu_);
};

TEST(WalSyncerTest, AReportedFailureHoldsEveryoneUntilARecoverySucceeds) {
  FakeLog log;
  log.OpenUp();
  FakeRecovery recovery;
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0,
                   [&] { return recovery.Recover(); }, absl::Milliseconds(1));
  syncer.AddHealthListener([&](const absl::Status& health) { recovery.Heard(health); });
  ASSERT_OK(syncer.AwaitDurable(log.Write()));

  const uint64_t applied = log.Write();  // applied before the failure
  syncer.Fail(absl::UnavailableError("the disk is full"));
  syncer.Fail(absl::UnavailableError("a later failure"));  // the first one stands
  Outcome held;
  syncer.WhenDurable(applied, held.Callback());
  held.done.WaitForNotification();
  EXPECT_CODE(held.status, absl::StatusCode::kUnavailable);
  EXPECT_EQ(held.status.message(), "the disk is full");
  // Failed attempts are retried, and change nothing.
  recovery.AwaitAttempts(3);
  EXPECT_CODE(syncer.failure(), absl::StatusCode::kUnavailable);

  recovery.Work();
  const std::vector<absl::Status> heard = recovery.AwaitHeard(2);
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].message(), "the disk is full");
  EXPECT_OK(heard[1]);
  EXPECT_OK(syncer.failure());
  // The recovery made the write applied before it durable: no sync needed.
  const uint64_t syncs = syncer.syncs();
  EXPECT_OK(syncer.AwaitDurable(applied));
  EXPECT_EQ(syncer.syncs(), syncs);
  // Later writes are synced as before.
  EXPECT_OK(syncer.AwaitDurable(log.Write()));
  EXPECT_EQ(syncer.syncs(), syncs + 1);
}

TEST(WalSyncerTest, WithoutARecoveryAFailureIsFinal) {
  FakeLog log;
  log.OpenUp();
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0);
  std::atomic<int> failures_heard{0};
  syncer.AddHealthListener([&](const absl::Status& health) {
    if (!health.ok()) ++failures_heard;
  });
  syncer.Fail(absl::UnavailableError("the disk is full"));
  // The syncing thread has gone round since the failure (it told the
  // listener), and did not clear it.
  ASSERT_TRUE(testing::WaitFor([&] { return failures_heard.load() > 0; }));
  EXPECT_CODE(syncer.failure(), absl::StatusCode::kUnavailable);
  EXPECT_CODE(syncer.AwaitDurable(log.Write()), absl::StatusCode::kUnavailable);
}

TEST(WalSyncerTest, AwaitDurableReturnsOnlyAfterEarlierCallbacks) {
  FakeLog log;
  log.OpenUp();
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0);
  absl::Notification running, let_go;
  std::atomic<bool> first_done{false};
  syncer.WhenDurable(log.Write(), [&](absl::Status) {
    running.Notify();
    let_go.WaitForNotification();
    first_done = true;
  });
  running.WaitForNotification();  // released, and still running on the syncing thread
  std::atomic<bool> awaited{false};
  std::thread waiter([&] {
    // Durable already, but an earlier callback is still running.
    EXPECT_OK(syncer.AwaitDurable(0));
    EXPECT_TRUE(first_done.load());
    awaited = true;
  });
  // No signal tells that the waiter is blocked rather than slow to start:
  // this gives a wrong implementation time to return early.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(awaited.load()) << "returned while an earlier callback was still running";
  let_go.Notify();
  waiter.join();
  EXPECT_TRUE(awaited.load());
}

TEST(WalSyncerTest, StoppingSyncsForWhoeverStillWaits) {
  FakeLog log;
  Outcome outcome;
  {
    WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0);
    syncer.WhenDurable(log.Write(), outcome.Callback());
    log.OpenUp();
  }
  ASSERT_TRUE(outcome.done.HasBeenNotified());
  EXPECT_OK(outcome.status);
}

TEST(WalSyncerTest, ManyThreadsAreAllReleased) {
  FakeLog log;
  log.OpenUp();
  WalSyncer syncer([&] { return log.LastWritten(); }, [&] { return log.Sync(); }, 0);
  constexpr int kThreads = 8;
  constexpr int kWritesEach = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWritesEach; ++i) {
        if (syncer.AwaitDurable(log.Write()).ok()) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kWritesEach);  // nobody left waiting, nobody failed
}

}  // namespace
}  // namespace dsr::storage
