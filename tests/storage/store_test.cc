#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::storage {
namespace {

using dsr::storage::v1::ActorRecord;

ActorRecord MakeActor(const std::string& id) {
  ActorRecord record;
  record.set_actor_id(id);
  record.set_display_name("Display " + id);
  return record;
}

std::unique_ptr<Store> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Store>> store = RocksDbStore::Open(StoreOptions{path});
  EXPECT_OK(store);
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(StoreTest, CommittedRecordsSurviveReopen) {
  testing::TempDir dir;
  {
    std::unique_ptr<Store> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    WriteBatch batch = store->NewWriteBatch();
    batch.Put(ColumnFamily::kActors, keys::Actor("acme"), MakeActor("acme"));
    batch.PutEmpty(ColumnFamily::kExternalIds, keys::ExternalId("hf:x", "acme", "x"));
    EXPECT_EQ(batch.Count(), 2);
    ASSERT_OK(store->Commit(batch));
  }
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  ActorRecord read;
  ASSERT_OK(store->Get(ColumnFamily::kActors, keys::Actor("acme"), &read));
  EXPECT_EQ(read.display_name(), "Display acme");
  ASSERT_OK_AND_ASSIGN(bool indexed, store->Contains(ColumnFamily::kExternalIds,
                                                     keys::ExternalId("hf:x", "acme", "x")));
  EXPECT_TRUE(indexed);
}

TEST(StoreTest, EveryCommitIsSyncedToTheWal) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  const StoreStats before = store->Stats();
  for (int i = 0; i < 3; ++i) {
    WriteBatch batch = store->NewWriteBatch();
    batch.Put(ColumnFamily::kActors, keys::Actor("a" + std::to_string(i)), MakeActor("a"));
    ASSERT_OK(store->Commit(batch));
  }
  const StoreStats after = store->Stats();
  EXPECT_EQ(after.commits - before.commits, 3u);
  // One after the other, each commit needs its own sync.
  EXPECT_EQ(after.wal_syncs - before.wal_syncs, 3u);
}

TEST(StoreTest, AppliedWritesAreReadAtOnceAndShareSyncs) {
  testing::TempDir dir;
  {
    std::unique_ptr<Store> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    const StoreStats before = store->Stats();
    for (int i = 0; i < 5; ++i) {
      WriteBatch batch = store->NewWriteBatch();
      batch.Put(ColumnFamily::kActors, keys::Actor("a" + std::to_string(i)), MakeActor("a"));
      ASSERT_OK(store->Apply(batch));
      ActorRecord read;
      EXPECT_OK(store->Get(ColumnFamily::kActors, keys::Actor("a" + std::to_string(i)), &read));
    }
    EXPECT_EQ(store->Stats().wal_syncs, before.wal_syncs) << "Apply must not sync";
    ASSERT_OK(store->AwaitDurable());
    const StoreStats after = store->Stats();
    EXPECT_EQ(after.commits - before.commits, 5u);
    EXPECT_EQ(after.group_syncs - before.group_syncs, 1u);  // one sync for all five
    EXPECT_GE(after.wal_syncs - before.wal_syncs, 1u);
    // Nothing new since: told without another sync.
    absl::Notification told;
    store->WhenDurable([&](absl::Status s) {
      EXPECT_OK(s);
      told.Notify();
    });
    told.WaitForNotification();
    EXPECT_EQ(store->Stats().group_syncs, after.group_syncs);
    EXPECT_OK(store->health());
  }
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  ActorRecord read;
  EXPECT_OK(store->Get(ColumnFamily::kActors, keys::Actor("a4"), &read));
}

TEST(StoreTest, MissingRecordIsNotFound) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  ActorRecord read;
  EXPECT_CODE(store->Get(ColumnFamily::kActors, keys::Actor("nobody"), &read),
              absl::StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(bool present, store->Contains(ColumnFamily::kActors, keys::Actor("nobody")));
  EXPECT_FALSE(present);
}

TEST(StoreTest, FamiliesAreSeparate) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  WriteBatch batch = store->NewWriteBatch();
  batch.Put(ColumnFamily::kActors, keys::Actor("acme"), MakeActor("acme"));
  ASSERT_OK(store->Commit(batch));
  ActorRecord read;
  EXPECT_CODE(store->Get(ColumnFamily::kLinks, keys::Actor("acme"), &read),
              absl::StatusCode::kNotFound);
}

TEST(StoreTest, UnparsableValueIsDataLoss) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  dsr::storage::v1::LinkRecord link;
  link.set_link_id(std::string(1, '\xff'));  // not valid UTF-8 in a string field
  WriteBatch batch = store->NewWriteBatch();
  batch.Put(ColumnFamily::kLinks, keys::Link("x"), link);
  ASSERT_OK(store->Commit(batch));
  dsr::storage::v1::LinkRecord read;
  EXPECT_CODE(store->Get(ColumnFamily::kLinks, keys::Link("x"), &read),
              absl::StatusCode::kDataLoss);
}

TEST(StoreTest, DeleteInBatchRemovesAtomically) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  WriteBatch first = store->NewWriteBatch();
  first.Put(ColumnFamily::kActors, keys::Actor("old"), MakeActor("old"));
  ASSERT_OK(store->Commit(first));
  WriteBatch swap = store->NewWriteBatch();
  swap.Delete(ColumnFamily::kActors, keys::Actor("old"));
  swap.Put(ColumnFamily::kActors, keys::Actor("new"), MakeActor("new"));
  ASSERT_OK(store->Commit(swap));
  ASSERT_OK_AND_ASSIGN(bool old_present,
                       store->Contains(ColumnFamily::kActors, keys::Actor("old")));
  ASSERT_OK_AND_ASSIGN(bool new_present,
                       store->Contains(ColumnFamily::kActors, keys::Actor("new")));
  EXPECT_FALSE(old_present);
  EXPECT_TRUE(new_present);
}

TEST(StoreTest, ScanHonoursPrefixStartAfterAndEarlyStop) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  WriteBatch batch = store->NewWriteBatch();
  for (const char* actor : {"acme", "acme-labs", "beta"}) {
    for (const char* holding : {"h1", "h2", "h3"}) {
      batch.PutEmpty(ColumnFamily::kHoldings, keys::Holding(actor, holding));
    }
  }
  ASSERT_OK(store->Commit(batch));

  auto scan = [&](const std::string& prefix, const std::string& after, int limit) {
    std::vector<std::string> seen;
    EXPECT_OK(store->Scan(ColumnFamily::kHoldings, prefix, after,
                          [&](absl::string_view key, absl::string_view) {
                            absl::StatusOr<keys::HoldingKey> k = keys::ParseHolding(key);
                            EXPECT_OK(k);
                            seen.push_back(k->actor_id + "/" + k->holding_id);
                            return static_cast<int>(seen.size()) < limit;
                          }));
    return seen;
  };
  EXPECT_EQ(scan(keys::HoldingsOf("acme"), "", 100),
            (std::vector<std::string>{"acme/h1", "acme/h2", "acme/h3"}));
  EXPECT_EQ(scan(keys::HoldingsOf("acme"), keys::Holding("acme", "h1"), 100),
            (std::vector<std::string>{"acme/h2", "acme/h3"}));
  EXPECT_EQ(scan("", keys::Holding("acme-labs", "h3"), 2),
            (std::vector<std::string>{"beta/h1", "beta/h2"}));
  EXPECT_EQ(scan("", "", 100).size(), 9u);
}

TEST(StoreTest, SecondOpenOfSameDirectoryIsUnavailable) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_CODE(RocksDbStore::Open(StoreOptions{dir.path()}), absl::StatusCode::kUnavailable);
}

TEST(StoreTest, OpensDatabaseWithFamiliesItDoesNotKnow) {
  testing::TempDir dir;
  { ASSERT_NE(OpenOrDie(dir.path()), nullptr); }
  {
    // A newer version might add a column family; an older binary must still
    // open the database.
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir.path(), &names).ok());
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), families, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    ASSERT_TRUE(
        db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "from_the_future", &extra).ok());
    handles.push_back(extra);
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  EXPECT_NE(OpenOrDie(dir.path()), nullptr);
}

}  // namespace
}  // namespace dsr::storage
