// A damaged write-ahead log: a tail cut short opens with everything before
// it; damage in the middle is reported (DATA_LOSS) rather than served as a
// silently shorter history.

#include <filesystem>
#include <fstream>
#include <string>

#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::storage {
namespace {

using dsr::storage::v1::ActorRecord;
namespace fs = std::filesystem;

constexpr int kRecords = 200;

class DamagedWalTest : public ::testing::Test {
 protected:
  // A store whose records are only in its log (closing does not flush).
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = RocksDbStore::Open(StoreOptions{path_});
    ASSERT_OK(store);
    for (int i = 0; i < kRecords; ++i) {
      WriteBatch batch = (*store)->NewWriteBatch();
      ActorRecord record;
      record.set_actor_id(Id(i));
      record.set_display_name(std::string(100, 'x'));
      batch.Put(ColumnFamily::kActors, keys::Actor(Id(i)), record);
      ASSERT_OK((*store)->Commit(batch));
    }
  }

  static std::string Id(int i) { return "actor" + std::to_string(i); }

  // The newest log file and its size.
  std::string Log() const {
    std::string newest;
    for (const auto& entry : fs::directory_iterator(path_)) {
      const std::string name = entry.path().filename().string();
      if (name.size() > 4 && name.substr(name.size() - 4) == ".log" && name > newest) newest = name;
    }
    return path_ + "/" + newest;
  }

  int Present(const Store& store) const {
    int present = 0;
    ActorRecord record;
    for (int i = 0; i < kRecords; ++i) {
      present += store.Get(ColumnFamily::kActors, keys::Actor(Id(i)), &record).ok() ? 1 : 0;
    }
    return present;
  }

  testing::TempDir dir_;
  const std::string path_ = dir_.Sub("db");
};

TEST_F(DamagedWalTest, ATailCutShortOpensWithEverythingBeforeIt) {
  const std::string log = Log();
  const auto size = fs::file_size(log);
  ASSERT_GT(size, 1000u);
  fs::resize_file(log, size - 20);  // the last record torn
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, RocksDbStore::Open(StoreOptions{path_}));
  EXPECT_EQ(Present(*store), kRecords - 1);
  ActorRecord record;
  EXPECT_OK(store->Get(ColumnFamily::kActors, keys::Actor(Id(kRecords - 2)), &record));
}

TEST_F(DamagedWalTest, DamageInTheMiddleIsReportedNotServed) {
  const std::string log = Log();
  const auto size = fs::file_size(log);
  {
    std::fstream file(log, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const char garbage[16] = {'\x5a', '\x5a', '\x5a', '\x5a', '\x5a', '\x5a', '\x5a', '\x5a',
                              '\x5a', '\x5a', '\x5a', '\x5a', '\x5a', '\x5a', '\x5a', '\x5a'};
    file.write(garbage, sizeof(garbage));
  }
  absl::StatusOr<std::unique_ptr<Store>> store = RocksDbStore::Open(StoreOptions{path_});
  EXPECT_CODE(store.status(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace dsr::storage
