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

void WriteFence::WriteFailed(uint64_t log_number) {
  absl::MutexLock lock(&mu_);
  if (!failed_) failed_log_ = log_number;
  failed_ = true;
  mu_.Await(absl::Condition(
      +[](bool* syncing) { return !*syncing; }, &syncing_));
}

bool WriteFence::write_failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

uint64_t WriteFence::failed_log() const {
  absl::MutexLock lock(&mu_);
  return failed_log_;
}

void WriteFence::Clear() {
  absl::MutexLock lock(&mu_);
  failed_ = false;
  failed_log_ = 0;
}

namespace {

// The number of a write-ahead-log file ("/db/000123.log"), or 0 for any
// other file.
uint64_t LogNumber(absl::string_view path) {
  const size_t slash = path.rfind('/');
  absl::string_view base = slash == absl::string_view::npos ? path : path.substr(slash + 1);
  if (!absl::ConsumeSuffix(&base, ".log")) return 0;
  uint64_t number = 0;
  return absl::SimpleAtoi(base, &number) ? number : 0;
}

class FencedLogFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FencedLogFile(std::unique_ptr<rocksdb::FSWritableFile> target, uint64_t log_number,
                WriteFence* fence)
      : FSWritableFileOwnerWrapper(std::move(target)), log_number_(log_number), fence_(fence) {}

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
    if (!status.ok()) fence_->WriteFailed(log_number_);
    return status;
  }

  const uint64_t log_number_;
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
    const uint64_t log_number = LogNumber(name);
    if (opened.ok() && log_number != 0) {
      *result = std::make_unique<FencedLogFile>(std::move(*result), log_number, fence_.get());
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
