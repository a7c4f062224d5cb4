#include "storage/write_fence.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "rocksdb/file_system.h"

namespace dsr::storage {

bool WriteFence::BeginSync() {
  absl::MutexLock lock(&mu_);
  if (failed_) return false;
  syncing_ = true;
  return true;
}

void WriteFence::EndSync() {
  absl::MutexLock lock(&mu_);
  syncing_ = false;
}

void WriteFence::WriteFailed() {
  absl::MutexLock lock(&mu_);
  failed_ = true;
  mu_.Await(absl::Condition(
      +[](bool* syncing) { return !*syncing; }, &syncing_));
}

bool WriteFence::write_failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

namespace {

// Whether `path` names a write-ahead-log file ("/db/000123.log").
bool IsLog(absl::string_view path) {
  const size_t slash = path.rfind('/');
  absl::string_view base = slash == absl::string_view::npos ? path : path.substr(slash + 1);
  uint64_t number = 0;
  return absl::ConsumeSuffix(&base, ".log") && absl::SimpleAtoi(base, &number);
}

class FencedLogFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FencedLogFile(std::unique_ptr<rocksdb::FSWritableFile> target, WriteFence* fence)
      : FSWritableFileOwnerWrapper(std::move(target)), fence_(fence) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    return Reported(target()->Append(data, options, dbg));
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    return Reported(target()->Append(data, options, info, dbg));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    return Reported(target()->PositionedAppend(data, offset, options, dbg));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    return Reported(target()->PositionedAppend(data, offset, options, info, dbg));
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return Reported(target()->Flush(options, dbg));
  }
  // Sync errors are not fenced: only the syncer syncs, and it stops by
  // itself after a failed sync (storage/wal_syncer.h).

 private:
  rocksdb::IOStatus Reported(rocksdb::IOStatus status) {
    if (!status.ok()) fence_->WriteFailed();
    return status;
  }

  WriteFence* const fence_;
};

class FencedFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FencedFileSystem(std::shared_ptr<rocksdb::FileSystem> base, std::shared_ptr<WriteFence> fence)
      : FileSystemWrapper(std::move(base)), fence_(std::move(fence)) {}

  const char* Name() const override { return "FencedFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    return Fenced(name, target()->NewWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    return Fenced(name, target()->ReopenWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    return Fenced(name, target()->ReuseWritableFile(name, old_name, options, result, dbg), result);
  }

 private:
  rocksdb::IOStatus Fenced(const std::string& name, rocksdb::IOStatus opened,
                           std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (opened.ok() && IsLog(name)) {
      *result = std::make_unique<FencedLogFile>(std::move(*result), fence_.get());
    }
    return opened;
  }

  const std::shared_ptr<WriteFence> fence_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewFencedFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                                         std::shared_ptr<WriteFence> fence) {
  return std::make_shared<FencedFileSystem>(std::move(base), std::move(fence));
}

}  // namespace dsr::storage
