#include "storage/write_batch.h"

#include <string>
#include <vector>

#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"

namespace dsr::storage {
namespace {

struct Seen {
  ColumnFamily cf;
  bool is_delete;
  std::string key;
  std::string value;
};

std::vector<Seen> Replay(const WriteBatch& batch) {
  std::vector<Seen> seen;
  batch.ForEach([&](const WriteBatch::Op& op) {
    seen.push_back({op.cf, op.is_delete, std::string(op.key), std::string(op.value)});
  });
  return seen;
}

// What a backend replays is exactly what was added, in order: records
// serialised, empty index values, deletes, keys with any bytes.
TEST(WriteBatchTest, ReplaysEveryOperationInOrder) {
  dsr::storage::v1::ActorRecord actor;
  actor.set_actor_id("acme");
  actor.set_display_name(std::string(70000, 'x'));  // past 16 bits of length
  const std::string binary_key("a\0b\xff", 4);
  WriteBatch batch;
  EXPECT_EQ(batch.Count(), 0);
  batch.Put(ColumnFamily::kActors, "actors/acme", actor);
  batch.PutEmpty(ColumnFamily::kExternalIds, binary_key);
  batch.Delete(ColumnFamily::kHoldings, "gone");
  EXPECT_EQ(batch.Count(), 3);
  const std::vector<Seen> seen = Replay(batch);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].cf, ColumnFamily::kActors);
  EXPECT_FALSE(seen[0].is_delete);
  EXPECT_EQ(seen[0].key, "actors/acme");
  EXPECT_EQ(seen[0].value, actor.SerializeAsString());
  EXPECT_EQ(seen[1].cf, ColumnFamily::kExternalIds);
  EXPECT_EQ(seen[1].key, binary_key);
  EXPECT_EQ(seen[1].value, "");
  EXPECT_FALSE(seen[1].is_delete);
  EXPECT_EQ(seen[2].cf, ColumnFamily::kHoldings);
  EXPECT_TRUE(seen[2].is_delete);
  EXPECT_EQ(seen[2].key, "gone");
  // Moved, it keeps its operations; the source is left empty or valid.
  WriteBatch moved = std::move(batch);
  EXPECT_EQ(Replay(moved).size(), 3u);
}

}  // namespace
}  // namespace dsr::storage
