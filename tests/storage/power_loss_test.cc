// The store on a file system that simulates power loss
// (tests/support/power_loss_fs.h): what was acknowledged durable survives,
// and what was only applied is really lost, which shows the simulation can
// see a missing sync.

#include <atomic>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/support/power_loss_fs.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::storage {
namespace {

using dsr::storage::v1::ActorRecord;
using dsr::testing::PowerLossFileSystem;

// Rounds of the random test; DSR_POWER_LOSS_ROUNDS sets more (long mode).
int Rounds() {
  int rounds = 8;
  const char* env = std::getenv("DSR_POWER_LOSS_ROUNDS");
  if (env != nullptr && !absl::SimpleAtoi(env, &rounds)) rounds = 8;
  return rounds;
}

class PowerLossTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open() {
    StoreOptions options;
    options.path = dir_.Sub("db");
    options.env = PowerLossFileSystem::EnvOver(fs_);
    absl::StatusOr<std::unique_ptr<Store>> store = RocksDbStore::Open(options);
    EXPECT_OK(store);
    return store.ok() ? std::move(*store) : nullptr;
  }

  static void Put(WriteBatch& batch, const std::string& id) {
    ActorRecord record;
    record.set_actor_id(id);
    batch.Put(ColumnFamily::kActors, keys::Actor(id), record);
  }

  static bool Has(const Store& store, const std::string& id) {
    ActorRecord record;
    return store.Get(ColumnFamily::kActors, keys::Actor(id), &record).ok();
  }

  // Loses power under `store`, closes it (whatever it does meanwhile is
  // lost) and brings the disk back as the power loss left it.
  void PowerLoss(std::unique_ptr<Store>& store) {
    fs_->Crash();
    store.reset();
    fs_->Restart();
  }

  dsr::testing::TempDir dir_;
  std::shared_ptr<PowerLossFileSystem> fs_ = std::make_shared<PowerLossFileSystem>();
};

TEST_F(PowerLossTest, SyncedWritesSurviveAndUnsyncedOnesAreLost) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  WriteBatch committed = store->NewWriteBatch();
  Put(committed, "committed");
  ASSERT_OK(store->Commit(committed));
  WriteBatch before = store->NewWriteBatch();
  Put(before, "applied-before-a-sync");
  ASSERT_OK(store->Apply(before));
  WriteBatch awaited = store->NewWriteBatch();
  Put(awaited, "awaited");
  ASSERT_OK(store->Apply(awaited));
  ASSERT_OK(store->AwaitDurable());
  WriteBatch unsynced = store->NewWriteBatch();
  Put(unsynced, "never-synced");
  ASSERT_OK(store->Apply(unsynced));
  EXPECT_TRUE(Has(*store, "never-synced"));  // visible, not durable

  PowerLoss(store);
  EXPECT_GT(fs_->bytes_dropped(), 0) << "the unsynced write reached no file?";
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(Has(*store, "committed"));
  EXPECT_TRUE(Has(*store, "applied-before-a-sync"));  // the sync covered it
  EXPECT_TRUE(Has(*store, "awaited"));
  EXPECT_FALSE(Has(*store, "never-synced")) << "a power loss must take what was never synced";
  // The store works on after the loss.
  WriteBatch again = store->NewWriteBatch();
  Put(again, "after");
  ASSERT_OK(store->Commit(again));
  EXPECT_TRUE(Has(*store, "after"));
}

// Threads apply writes and record those the store acknowledges durable;
// power is lost at a random moment; after each restart every acknowledged
// write of every round so far must be there.
TEST_F(PowerLossTest, EveryAcknowledgedWriteSurvivesRandomPowerLosses) {
  std::mt19937 random(20261130);
  absl::Mutex mu;
  // Set just before the power goes: acknowledgements after it may be of
  // syncs the simulation only pretended, so they do not count.
  bool lost = false;
  std::set<std::string> acknowledged;
  int64_t applied_total = 0, lost_total = 0;
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr) << "round " << round;
    std::set<std::string> applied;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; !stop.load(); ++i) {
          const std::string id = absl::StrCat("r", round, "-t", t, "-", i);
          WriteBatch batch = store->NewWriteBatch();
          Put(batch, id);
          if (i % 5 == 0) {  // some synced commits among the applied writes
            if (!store->Commit(batch).ok()) return;
            absl::MutexLock lock(&mu);
            applied.insert(id);
            if (!lost) acknowledged.insert(id);
            continue;
          }
          if (!store->Apply(batch).ok()) return;
          {
            absl::MutexLock lock(&mu);
            applied.insert(id);
          }
          store->WhenDurable([&, id](absl::Status synced) {
            if (!synced.ok()) return;
            absl::MutexLock lock(&mu);
            if (!lost) acknowledged.insert(id);
          });
        }
      });
    }
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(5, 60)(random)));
    {
      absl::MutexLock lock(&mu);
      lost = true;
    }
    fs_->Crash();
    stop = true;
    for (std::thread& w : writers) w.join();
    store.reset();  // answers the last waiters (with errors), closes
    fs_->Restart();

    store = Open();
    ASSERT_NE(store, nullptr) << "round " << round << ": the store does not reopen";
    absl::MutexLock lock(&mu);
    lost = false;
    for (const std::string& id : acknowledged) {
      ASSERT_TRUE(Has(*store, id)) << "round " << round << ": acknowledged " << id << " lost";
    }
    for (const std::string& id : applied) lost_total += Has(*store, id) ? 0 : 1;
    applied_total += static_cast<int64_t>(applied.size());
  }
  std::cout << rounds << " power losses: " << acknowledged.size() << " writes acknowledged, all "
            << "kept; " << lost_total << " of " << applied_total
            << " applied but unacknowledged writes lost; " << fs_->bytes_dropped() << " bytes and "
            << fs_->files_dropped() << " files dropped\n";
  EXPECT_GT(acknowledged.size(), 0u);
}

}  // namespace
}  // namespace dsr::storage
