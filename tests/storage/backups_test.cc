// Online backups of the store: taken while it is open (and while it is
// written), listed, verified against damage, and restored as a new database
// that holds exactly what the store held.

#include "storage/backups.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "dsr/storage/v1/audit_records.pb.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::storage {
namespace {

namespace fs = std::filesystem;
using dsr::storage::v1::ActorRecord;
using dsr::storage::v1::AuditEventRecord;

std::string Id(int i) { return "actor" + std::to_string(i); }

// Record `i`: an actor and an audit event, in two column families, in one
// batch.
WriteBatch RecordBatch(const Store& store, int i) {
  WriteBatch batch = store.NewWriteBatch();
  ActorRecord actor;
  actor.set_actor_id(Id(i));
  actor.set_display_name(std::string(200, 'x'));
  batch.Put(ColumnFamily::kActors, keys::Actor(Id(i)), actor);
  AuditEventRecord event;
  event.set_sequence(i + 1);
  event.set_action("Write");
  batch.Put(ColumnFamily::kAudit, keys::AuditEvent(i + 1), event);
  return batch;
}

// How many records a store holds, after checking that they are records
// 0..n-1, each whole (both of its families or neither).
int CountWholePrefix(const Store& store) {
  int events = 0;
  bool in_order = true;
  EXPECT_OK(store.Scan(ColumnFamily::kAudit, "", "", [&](absl::string_view key, absl::string_view) {
    absl::StatusOr<uint64_t> sequence = keys::ParseAuditEvent(key);
    in_order = in_order && sequence.ok() && *sequence == static_cast<uint64_t>(events) + 1;
    ++events;
    return true;
  }));
  EXPECT_TRUE(in_order) << "the audit events are not 1.." << events;
  int actors = 0;
  EXPECT_OK(store.Scan(ColumnFamily::kActors, "", "", [&](absl::string_view, absl::string_view) {
    ++actors;
    return true;
  }));
  EXPECT_EQ(actors, events) << "a batch was split";
  ActorRecord actor;
  for (int i = 0; i < events; ++i) {
    EXPECT_OK(store.Get(ColumnFamily::kActors, keys::Actor(Id(i)), &actor)) << Id(i);
  }
  return events;
}

class BackupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, RocksDbStore::Open(StoreOptions{dir_.Sub("db")}));
    ASSERT_OK_AND_ASSIGN(backups_, Backups::Open(dir_.Sub("backups")));
  }

  void Write(int from, int to) {
    for (int i = from; i < to; ++i) {
      WriteBatch batch = RecordBatch(*store_, i);
      ASSERT_OK(store_->Commit(batch));
    }
  }

  // Restores backup `id` (the latest when nullopt) into a new directory
  // and counts its records.
  int RestoredCount(std::optional<uint32_t> id) {
    const std::string target = dir_.Sub("restored-" + std::to_string(++restores_));
    absl::StatusOr<BackupInfo> restored = Backups::Restore(backups_->dir(), id, target);
    EXPECT_OK(restored);
    if (!restored.ok()) return -1;
    if (id.has_value()) {
      EXPECT_EQ(restored->id, *id);
    }
    absl::StatusOr<std::unique_ptr<Store>> store = RocksDbStore::Open(StoreOptions{target});
    EXPECT_OK(store);
    return store.ok() ? CountWholePrefix(**store) : -1;
  }

  // Paths of the backup's table files.
  std::vector<fs::path> BackupTableFiles() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(backups_->dir())) {
      if (entry.is_regular_file() && entry.path().extension() == ".sst") {
        files.push_back(entry.path());
      }
    }
    return files;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Backups> backups_;
  int restores_ = 0;
};

TEST_F(BackupsTest, BackupsAreNumberedListedAndRestoreWhatTheStoreHeldThen) {
  const absl::Time start = absl::Now() - absl::Seconds(1);
  Write(0, 50);
  ASSERT_OK_AND_ASSIGN(BackupInfo first, backups_->Create(*store_));
  Write(50, 80);
  ASSERT_OK_AND_ASSIGN(BackupInfo second, backups_->Create(*store_));
  EXPECT_EQ(first.id, 1u);
  EXPECT_EQ(second.id, 2u);
  EXPECT_GT(first.file_count, 0u);
  EXPECT_GT(first.size_bytes, 0u);
  EXPECT_GE(second.size_bytes, first.size_bytes);
  EXPECT_GE(first.create_time, start);
  EXPECT_LE(second.create_time, absl::Now());

  const std::vector<BackupInfo> listed = backups_->List();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, 1u);
  EXPECT_EQ(listed[0].size_bytes, first.size_bytes);
  EXPECT_EQ(listed[1].id, 2u);
  ASSERT_OK_AND_ASSIGN(BackupInfo got, backups_->Get(2));
  EXPECT_EQ(got.file_count, second.file_count);
  EXPECT_CODE(backups_->Get(3), absl::StatusCode::kNotFound);
  EXPECT_OK(backups_->Verify(1));
  EXPECT_OK(backups_->Verify(2));

  EXPECT_EQ(RestoredCount(1), 50);
  EXPECT_EQ(RestoredCount(2), 80);
  EXPECT_EQ(RestoredCount(std::nullopt), 80);  // the latest
}

TEST_F(BackupsTest, TheBackupDirectoryIsReopenedWithItsBackups) {
  Write(0, 10);
  ASSERT_OK(backups_->Create(*store_));
  backups_.reset();
  ASSERT_OK_AND_ASSIGN(backups_, Backups::Open(dir_.Sub("backups")));
  ASSERT_EQ(backups_->List().size(), 1u);
  EXPECT_OK(backups_->Verify(1));
  ASSERT_OK_AND_ASSIGN(BackupInfo next, backups_->Create(*store_));
  EXPECT_EQ(next.id, 2u);
}

TEST_F(BackupsTest, HoldsWritesAppliedButNotYetSynced) {
  Write(0, 5);
  for (int i = 5; i < 10; ++i) {
    WriteBatch batch = RecordBatch(*store_, i);
    ASSERT_OK(store_->Apply(batch));
  }
  ASSERT_OK(backups_->Create(*store_));
  EXPECT_EQ(RestoredCount(std::nullopt), 10);
}

TEST_F(BackupsTest, RestoreRefusesADirectoryThatIsNotEmpty) {
  Write(0, 10);
  ASSERT_OK(backups_->Create(*store_));
  const std::string target = dir_.Sub("data/db");
  fs::create_directories(target);
  std::ofstream(target + "/precious") << "keep me";
  absl::StatusOr<BackupInfo> refused = Backups::Restore(backups_->dir(), std::nullopt, target);
  EXPECT_CODE(refused, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("not empty"), std::string::npos) << refused.status();
  EXPECT_NE(refused.status().message().find(target), std::string::npos) << refused.status();
  // Nothing was touched.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(target)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"precious"});
  EXPECT_FALSE(fs::exists(target + ".restoring"));
  // The live store's own directory is refused too.
  EXPECT_CODE(Backups::Restore(backups_->dir(), std::nullopt, dir_.Sub("db")),
              absl::StatusCode::kFailedPrecondition);

  // An empty directory is taken, and so is one left by an interrupted restore.
  const std::string empty = dir_.Sub("empty/db");
  fs::create_directories(empty);
  fs::create_directories(empty + ".restoring");
  std::ofstream(empty + ".restoring/CURRENT") << "half";
  ASSERT_OK(Backups::Restore(backups_->dir(), std::nullopt, empty));
  EXPECT_FALSE(fs::exists(empty + ".restoring"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> restored, RocksDbStore::Open(StoreOptions{empty}));
  EXPECT_EQ(CountWholePrefix(*restored), 10);
}

TEST_F(BackupsTest, RestoreNamesWhatIsMissing) {
  const std::string target = dir_.Sub("restored");
  EXPECT_CODE(Backups::Restore(dir_.Sub("no-such-dir"), std::nullopt, target),
              absl::StatusCode::kNotFound);
  // An opened directory with no backup yet.
  absl::StatusOr<BackupInfo> none = Backups::Restore(backups_->dir(), std::nullopt, target);
  EXPECT_CODE(none, absl::StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("no backup"), std::string::npos) << none.status();
  Write(0, 3);
  ASSERT_OK(backups_->Create(*store_));
  absl::StatusOr<BackupInfo> unknown = Backups::Restore(backups_->dir(), 7, target);
  EXPECT_CODE(unknown, absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("7"), std::string::npos) << unknown.status();
  EXPECT_FALSE(fs::exists(target));
  EXPECT_CODE(backups_->Verify(7), absl::StatusCode::kNotFound);
}

TEST_F(BackupsTest, VerifyAndRestoreCatchATruncatedFile) {
  Write(0, 100);
  ASSERT_OK(backups_->Create(*store_));
  const std::vector<fs::path> tables = BackupTableFiles();
  ASSERT_FALSE(tables.empty());
  const fs::path damaged = tables.front();
  fs::resize_file(damaged, fs::file_size(damaged) / 2);

  absl::Status verified = backups_->Verify(1);
  EXPECT_CODE(verified, absl::StatusCode::kDataLoss);
  EXPECT_NE(verified.message().find(damaged.filename().string()), std::string::npos) << verified;
  // A restore checks checksums too, and leaves no half database behind.
  const std::string target = dir_.Sub("restored");
  EXPECT_CODE(Backups::Restore(backups_->dir(), 1, target), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(fs::exists(target));
  EXPECT_FALSE(fs::exists(target + ".restoring"));
}

TEST_F(BackupsTest, VerifyCatchesAMissingOrAlteredFileOfThatBackupOnly) {
  Write(0, 100);
  ASSERT_OK(backups_->Create(*store_));
  const std::vector<fs::path> first_tables = BackupTableFiles();
  ASSERT_FALSE(first_tables.empty());
  Write(100, 110);
  ASSERT_OK(backups_->Create(*store_));
  // The second backup shares the first one's table files and adds those of
  // the new flush: remove one of those.
  fs::path only_second;
  for (const fs::path& p : BackupTableFiles()) {
    if (std::find(first_tables.begin(), first_tables.end(), p) == first_tables.end()) {
      only_second = p;
    }
  }
  ASSERT_FALSE(only_second.empty());
  fs::remove(only_second);
  EXPECT_CODE(backups_->Verify(2), absl::StatusCode::kDataLoss);
  EXPECT_OK(backups_->Verify(1));

  // Same size, one byte changed: only the checksum can tell.
  {
    std::fstream file(first_tables.front(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(10);
    const char byte = static_cast<char>(file.get());
    file.seekp(10);
    file.put(static_cast<char>(byte ^ 0x55));
  }
  EXPECT_CODE(backups_->Verify(1), absl::StatusCode::kDataLoss);
  // A restore checks every checksum too.
  EXPECT_CODE(Backups::Restore(backups_->dir(), 1, dir_.Sub("restored")),
              absl::StatusCode::kDataLoss);
  EXPECT_FALSE(fs::exists(dir_.Sub("restored")));
}

TEST_F(BackupsTest, BackupsTakenWhileAnotherThreadWritesRestoreToAConsistentStore) {
  // Batches 0..begun-1 were handed to the store, 0..applied-1 applied.
  std::atomic<int> begun{0};
  std::atomic<int> applied{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      WriteBatch batch = RecordBatch(*store_, i);
      begun = i + 1;
      // Half applied without waiting for a sync, as the journal does.
      absl::Status status = i % 2 == 0 ? store_->Apply(batch) : store_->Commit(batch);
      if (!status.ok()) {
        ADD_FAILURE() << status;
        return;
      }
      applied = i + 1;
    }
  });
  struct Taken {
    uint32_t id;
    int applied_before;
    int begun_after;
  };
  std::vector<Taken> taken;
  for (int round = 0; round < 4; ++round) {
    while (applied < 200 * (round + 1)) std::this_thread::yield();
    const int before = applied;
    absl::StatusOr<BackupInfo> backup = backups_->Create(*store_);
    const int after = begun;
    ASSERT_OK(backup);
    taken.push_back(Taken{backup->id, before, after});
  }
  stop = true;
  writer.join();

  int previous = 0;
  for (const Taken& t : taken) {
    SCOPED_TRACE("backup " + std::to_string(t.id));
    EXPECT_OK(backups_->Verify(t.id));
    const int restored = RestoredCount(t.id);
    // Everything applied before the backup began, nothing begun after it
    // ended, and no batch split.
    EXPECT_GE(restored, t.applied_before);
    EXPECT_LE(restored, t.begun_after);
    EXPECT_GE(restored, previous);
    previous = restored;
  }
}

}  // namespace
}  // namespace dsr::storage
