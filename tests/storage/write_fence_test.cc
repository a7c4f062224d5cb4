#include "storage/write_fence.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rocksdb/file_system.h"
#include "tests/support/full_disk_fs.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"

namespace dsr::storage {
namespace {

TEST(WriteFenceTest, NoSyncStartsAfterAFailedWrite) {
  WriteFence fence;
  ASSERT_TRUE(fence.BeginSync());
  fence.EndSync();
  EXPECT_FALSE(fence.write_failed());
  fence.WriteFailed();
  EXPECT_TRUE(fence.write_failed());
  EXPECT_FALSE(fence.BeginSync());
  EXPECT_FALSE(fence.BeginSync());
}

// RocksDB learns of a failed write only when WriteFailed returns: that must
// wait for the sync under way, which looked at the file before the failure.
TEST(WriteFenceTest, AFailedWriteWaitsForTheSyncUnderWay) {
  WriteFence fence;
  ASSERT_TRUE(fence.BeginSync());
  std::atomic<bool> returned{false};
  std::thread writer([&] {
    fence.WriteFailed();
    returned = true;
  });
  // The writer has reported the failure (whatever the machine's speed)...
  ASSERT_TRUE(dsr::testing::WaitFor([&] { return fence.write_failed(); }));
  // ... and, given time to return, has not: it waits for the sync.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(returned.load()) << "returned while a sync was under way";
  fence.EndSync();
  writer.join();
  EXPECT_TRUE(returned.load());
  EXPECT_FALSE(fence.BeginSync());
}

// Through the file system: a failed append to a write-ahead-log file trips
// the fence; one to any other file does not.
TEST(WriteFenceTest, OnlyAFailedLogWriteTripsTheFence) {
  dsr::testing::TempDir dir;
  auto disk = std::make_shared<dsr::testing::FullDiskFileSystem>();
  auto fence = std::make_shared<WriteFence>();
  std::shared_ptr<rocksdb::FileSystem> fs = NewFencedFileSystem(disk, fence);
  const auto open = [&](const std::string& name) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    EXPECT_TRUE(fs->NewWritableFile(dir.Sub(name), rocksdb::FileOptions(), &file, nullptr).ok());
    return file;
  };
  std::unique_ptr<rocksdb::FSWritableFile> table = open("000009.sst");
  std::unique_ptr<rocksdb::FSWritableFile> log = open("000042.log");
  disk->SetFull(true);
  EXPECT_FALSE(table->Append("x", rocksdb::IOOptions(), nullptr).ok());
  EXPECT_FALSE(fence->write_failed());
  EXPECT_FALSE(log->Append("x", rocksdb::IOOptions(), nullptr).ok());
  EXPECT_TRUE(fence->write_failed());
}

}  // namespace
}  // namespace dsr::storage
