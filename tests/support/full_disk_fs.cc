#include "tests/support/full_disk_fs.h"

#include <utility>

#include "absl/strings/match.h"

namespace dsr::testing {
namespace {

rocksdb::IOStatus NoSpace() { return rocksdb::IOStatus::NoSpace("no space left on device"); }

class FullDiskFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullDiskFile(FullDiskFileSystem* fs, std::string name,
               std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (fs_->Refuse(name_)) return NoSpace();
    return target()->Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (fs_->Refuse(name_)) return NoSpace();
    return target()->Append(data, options, info, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (fs_->Refuse(name_)) return NoSpace();
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (fs_->Refuse(name_)) return NoSpace();
    return target()->PositionedAppend(data, offset, options, info, dbg);
  }
  rocksdb::IOStatus Allocate(uint64_t offset, uint64_t len, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    if (fs_->Refuse(name_)) return NoSpace();
    return target()->Allocate(offset, len, options, dbg);
  }

 private:
  FullDiskFileSystem* const fs_;
  const std::string name_;
};

}  // namespace

FullDiskFileSystem::FullDiskFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

void FullDiskFileSystem::SetFull(bool full, Refuses refuses) {
  logs_too_ = refuses != Refuses::kAllButLogs;
  only_logs_ = refuses == Refuses::kOnlyLogs;
  full_ = full;
}

std::shared_ptr<rocksdb::Env> FullDiskFileSystem::EnvOver(std::shared_ptr<FullDiskFileSystem> fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(std::move(fs)).release());
}

bool FullDiskFileSystem::Refuse(const std::string& name) {
  if (!full_) return false;
  const bool log = absl::EndsWith(name, ".log");
  if (!logs_too_ && log) return false;
  if (only_logs_ && !log) return false;
  ++refused_;
  return true;
}

rocksdb::IOStatus FullDiskFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (Refuse(name)) return NoSpace();
  rocksdb::IOStatus opened = target()->NewWritableFile(name, options, result, dbg);
  if (opened.ok()) *result = std::make_unique<FullDiskFile>(this, name, std::move(*result));
  return opened;
}

rocksdb::IOStatus FullDiskFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (Refuse(name)) return NoSpace();
  rocksdb::IOStatus opened = target()->ReopenWritableFile(name, options, result, dbg);
  if (opened.ok()) *result = std::make_unique<FullDiskFile>(this, name, std::move(*result));
  return opened;
}

rocksdb::IOStatus FullDiskFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (Refuse(name)) return NoSpace();
  rocksdb::IOStatus opened = target()->ReuseWritableFile(name, old_name, options, result, dbg);
  if (opened.ok()) *result = std::make_unique<FullDiskFile>(this, name, std::move(*result));
  return opened;
}

rocksdb::IOStatus FullDiskFileSystem::NewRandomRWFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSRandomRWFile>* result, rocksdb::IODebugContext* dbg) {
  if (Refuse(name)) return NoSpace();
  return target()->NewRandomRWFile(name, options, result, dbg);
}

}  // namespace dsr::testing
