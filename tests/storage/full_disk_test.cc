// The store on a disk that fills up (tests/support/full_disk_fs.h): a write
// the disk cannot take is refused with UNAVAILABLE, never acknowledged; the
// store turns unhealthy and refuses everything until space is back, then
// resumes by itself; and whatever was acknowledged before is intact. Above
// all the process does not crash: RocksDB 7.8 as Debian builds it aborts if
// a log is synced after a write to it failed (storage/write_fence.h).

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/support/full_disk_fs.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"

namespace dsr::storage {
namespace {

using dsr::storage::v1::ActorRecord;
using dsr::testing::FullDiskFileSystem;

// Rounds of the random test; DSR_FULL_DISK_ROUNDS sets more (long mode).
int Rounds() {
  int rounds = 6;
  const char* env = std::getenv("DSR_FULL_DISK_ROUNDS");
  if (env != nullptr && !absl::SimpleAtoi(env, &rounds)) rounds = 6;
  return rounds;
}

// What the store's health listener heard.
class HealthLog {
 public:
  void Heard(const absl::Status& health) {
    absl::MutexLock lock(&mu_);
    heard_.push_back(health);
  }
  std::vector<absl::Status> heard() const {
    absl::MutexLock lock(&mu_);
    return heard_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<absl::Status> heard_ ABSL_GUARDED_BY(mu_);
};

class FullDiskTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(size_t write_buffer_bytes = 4 << 20) {
    StoreOptions options;
    options.path = dir_.Sub("db");
    options.write_buffer_bytes = write_buffer_bytes;
    options.env = FullDiskFileSystem::EnvOver(fs_);
    options.retry_interval = absl::Milliseconds(20);
    absl::StatusOr<std::unique_ptr<Store>> store = RocksDbStore::Open(options);
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    (*store)->AddHealthListener([this](const absl::Status& health) { health_.Heard(health); });
    return std::move(*store);
  }

  static void Put(WriteBatch& batch, const std::string& id) {
    ActorRecord record;
    record.set_actor_id(id);
    batch.Put(ColumnFamily::kActors, keys::Actor(id), record);
  }

  static absl::Status Write(Store& store, const std::string& id) {
    WriteBatch batch = store.NewWriteBatch();
    Put(batch, id);
    return store.Commit(batch);
  }

  static bool Has(const Store& store, const std::string& id) {
    ActorRecord record;
    return store.Get(ColumnFamily::kActors, keys::Actor(id), &record).ok();
  }

  // Waits until the store is healthy again, or says why not.
  static absl::Status AwaitHealthy(const Store& store, absl::Duration timeout) {
    dsr::testing::WaitFor([&] { return store.health().ok(); }, timeout);
    return store.health();
  }

  dsr::testing::TempDir dir_;
  std::shared_ptr<FullDiskFileSystem> fs_ = std::make_shared<FullDiskFileSystem>();
  HealthLog health_;
};

TEST_F(FullDiskTest, ALogWriteTheDiskCannotTakeIsRefusedAndAReopenLosesNothing) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(Write(*store, "before"));
  // Applied, not yet known durable, when the disk fills.
  WriteBatch pending = store->NewWriteBatch();
  Put(pending, "pending");
  ASSERT_OK(store->Apply(pending));

  fs_->SetFull(true);
  absl::Status refused = Write(*store, "refused");
  EXPECT_CODE(refused, absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(refused.message(), "disk is full")) << refused;
  EXPECT_GT(fs_->refused(), 0);
  EXPECT_CODE(store->health(), absl::StatusCode::kUnavailable);
  // Everything is refused, and nothing is told durable; reads still work.
  EXPECT_CODE(Write(*store, "while-full"), absl::StatusCode::kUnavailable);
  EXPECT_CODE(store->AwaitDurable(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(Has(*store, "before"));
  EXPECT_FALSE(Has(*store, "refused"));

  // Space is back, but a failed log write is cleared only by a reopen: the
  // store says so, and keeps refusing (without crashing) meanwhile.
  fs_->SetFull(false);
  ASSERT_TRUE(dsr::testing::WaitFor([&] { return store->needs_reopen(); }));
  EXPECT_CODE(Write(*store, "still-refused"), absl::StatusCode::kUnavailable);
  const std::vector<absl::Status> heard = health_.heard();
  ASSERT_FALSE(heard.empty());
  EXPECT_CODE(heard.front(), absl::StatusCode::kUnavailable);

  store.reset();  // closing must not crash
  store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(Write(*store, "after"));
  EXPECT_TRUE(Has(*store, "before"));
  EXPECT_TRUE(Has(*store, "after"));
  // What was applied before the failure was in the log before the failed
  // write, so the reopen replays it.
  EXPECT_TRUE(Has(*store, "pending"));
  EXPECT_FALSE(Has(*store, "refused"));
  EXPECT_FALSE(Has(*store, "while-full"));
  EXPECT_FALSE(Has(*store, "still-refused"));
}

TEST_F(FullDiskTest, AFlushTheDiskCannotTakeStopsWritesUntilSpaceIsBack) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(Write(*store, "before"));
  // The log still takes writes; table files (a flush) do not.
  fs_->SetFull(true, FullDiskFileSystem::Refuses::kAllButLogs);
  EXPECT_CODE(store->Scrub({KeyRange{ColumnFamily::kActors, "a", "z"}}),
              absl::StatusCode::kUnavailable);
  // RocksDB stops taking writes after the failed flush: so does the store,
  // at once, before any write is refused.
  EXPECT_CODE(store->health(), absl::StatusCode::kUnavailable);
  absl::Status refused = Write(*store, "refused");
  EXPECT_CODE(refused, absl::StatusCode::kUnavailable);
  EXPECT_CODE(store->health(), absl::StatusCode::kUnavailable);

  fs_->SetFull(false);
  ASSERT_OK(AwaitHealthy(*store, absl::Seconds(20)));
  EXPECT_FALSE(store->needs_reopen());
  ASSERT_OK(Write(*store, "after"));
  const std::vector<absl::Status> heard = health_.heard();
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_CODE(heard[0], absl::StatusCode::kUnavailable);
  EXPECT_OK(heard[1]);
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(Has(*store, "before"));
  EXPECT_TRUE(Has(*store, "after"));
  EXPECT_FALSE(Has(*store, "refused"));
}

// Writers on several threads, each acknowledged only when the store says it
// is durable, while the disk fills and empties again and again at random
// moments: in odd rounds for everything (a log write fails), in even ones
// for table files only (a flush fails; the memtables are tiny, so flushes
// are frequent). No crash, no acknowledged write lost, and every round ends
// with the store writing again: by itself after a failed flush, after a
// reopen after a failed log write.
TEST_F(FullDiskTest, WritersSurviveADiskThatFillsAtRandomMoments) {
  constexpr size_t kTinyMemtable = 16 << 10;
  std::unique_ptr<Store> store = Open(kTinyMemtable);
  ASSERT_NE(store, nullptr);
  std::mt19937 random(20261130);
  absl::Mutex mu;
  std::set<std::string> acknowledged;
  int refused_writes = 0;
  int resumed = 0;
  int reopened = 0;
  for (int round = 0; round < Rounds(); ++round) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w, round] {
        for (int i = 0; !stop; ++i) {
          const std::string id = absl::StrCat("r", round, "-w", w, "-", i);
          WriteBatch batch = store->NewWriteBatch();
          Put(batch, id);
          absl::Status written = store->Commit(batch);
          absl::MutexLock lock(&mu);
          if (written.ok()) {
            acknowledged.insert(id);
          } else {
            EXPECT_CODE(written, absl::StatusCode::kUnavailable);
            ++refused_writes;
            absl::SleepFor(absl::Milliseconds(1));
          }
        }
      });
    }
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(5, 40)(random)));
    const bool logs_too = round % 2 == 1;
    fs_->SetFull(true, logs_too ? FullDiskFileSystem::Refuses::kEverything
                                : FullDiskFileSystem::Refuses::kAllButLogs);
    // Full until a write has failed (a flush may take a moment to come).
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (store->health().ok() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
    EXPECT_CODE(store->health(), absl::StatusCode::kUnavailable) << "round " << round;
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(5, 40)(random)));
    fs_->SetFull(false);
    while (!store->health().ok() && !store->needs_reopen() &&
           absl::Now() < deadline + absl::Seconds(10)) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    stop = true;
    for (std::thread& t : writers) t.join();
    if (store->needs_reopen()) {
      ++reopened;
      store.reset();
      store = Open(kTinyMemtable);
      ASSERT_NE(store, nullptr);
    } else {
      ASSERT_OK(store->health()) << "round " << round;
      ++resumed;
    }
    ASSERT_OK(Write(*store, absl::StrCat("round-", round)));
    acknowledged.insert(absl::StrCat("round-", round));
  }
  store.reset();
  store = Open(kTinyMemtable);
  ASSERT_NE(store, nullptr);
  int missing = 0;
  for (const std::string& id : acknowledged) missing += Has(*store, id) ? 0 : 1;
  EXPECT_EQ(missing, 0) << "of " << acknowledged.size() << " acknowledged writes";
  EXPECT_GT(refused_writes, 0);
  // Both ways back were taken.
  EXPECT_GT(resumed, 0);
  EXPECT_GT(reopened, 0);
  std::cout << Rounds() << " rounds: " << acknowledged.size() << " writes acknowledged, "
            << refused_writes << " refused; resumed by itself " << resumed << " times, reopened "
            << reopened << " times\n";
}

}  // namespace
}  // namespace dsr::storage
