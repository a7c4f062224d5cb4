#include "tests/support/power_loss_fs.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace dsr::testing {
namespace {

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string Normal(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

// Counts what reaches the file and what is synced, and refuses everything
// after a crash.
class PowerLossFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PowerLossFile(PowerLossFileSystem* fs, std::string name,
                std::unique_ptr<rocksdb::FSWritableFile> target, uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(target)),
        fs_(fs),
        name_(std::move(name)),
        size_(size) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    return Write(size_.load() + data.size(), [&] { return target()->Append(data, options, dbg); });
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    return Write(size_.load() + data.size(),
                 [&] { return target()->Append(data, options, info, dbg); });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    return Write(std::max<uint64_t>(size_.load(), offset + data.size()),
                 [&] { return target()->PositionedAppend(data, offset, options, dbg); });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    return Write(std::max<uint64_t>(size_.load(), offset + data.size()),
                 [&] { return target()->PositionedAppend(data, offset, options, info, dbg); });
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    return Write(size, [&] { return target()->Truncate(size, options, dbg); });
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Sync(options, dbg); });
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Fsync(options, dbg); });
  }
  // RangeSync (sync_file_range) promises nothing about durability: passed
  // on, but not counted as a sync.

 private:
  template <typename Op>
  rocksdb::IOStatus Write(uint64_t end, Op op) {
    rocksdb::IOStatus s = op();
    if (!s.ok()) return s;
    size_ = end;
    return fs_->Appended(name_, end);
  }
  template <typename Op>
  rocksdb::IOStatus SyncWith(Op op) {
    fs_->AwaitSyncsAllowed();
    if (fs_->crashed()) return rocksdb::IOStatus::OK();  // pretends; Restart drops it
    const uint64_t covered = size_.load();
    rocksdb::IOStatus s = op();
    if (s.ok()) fs_->Synced(name_, covered);
    return s;
  }

  PowerLossFileSystem* const fs_;
  const std::string name_;
  // Written by the writer, read by a syncing thread.
  std::atomic<uint64_t> size_;
};

class PowerLossDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  PowerLossDirectory(PowerLossFileSystem* fs, std::string name,
                     std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return FSDirectoryWrapper::Fsync(options, dbg); });
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    return SyncWith(
        [&] { return FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options); });
  }

 private:
  template <typename Op>
  rocksdb::IOStatus SyncWith(Op op) {
    fs_->AwaitSyncsAllowed();
    if (fs_->crashed()) return rocksdb::IOStatus::OK();  // pretends; Restart drops it
    rocksdb::IOStatus s = op();
    if (s.ok()) fs_->DirectorySynced(name_);
    return s;
  }

  PowerLossFileSystem* const fs_;
  const std::string name_;
};

}  // namespace

PowerLossFileSystem::PowerLossFileSystem()
    : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}

std::shared_ptr<rocksdb::Env> PowerLossFileSystem::EnvOver(
    std::shared_ptr<PowerLossFileSystem> fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(std::move(fs)).release());
}

void PowerLossFileSystem::Track(const std::string& name, uint64_t size, bool entry_synced) {
  File& file = files_[name];
  file.size = size;
  file.synced = size;  // what is there already is as durable as it gets
  file.entry_synced = entry_synced;
}

rocksdb::IOStatus PowerLossFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  const std::string key = Normal(name);
  std::error_code ec;
  const bool existed = std::filesystem::exists(key, ec);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    // A new file's entry is durable once its directory syncs; an existing
    // file emptied keeps its entry (and loses its old contents).
    auto it = files_.find(key);
    Track(key, 0, it != files_.end() ? it->second.entry_synced : existed);
  }
  *result = std::make_unique<PowerLossFile>(this, key, std::move(file), 0);
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  const std::string key = Normal(name);
  std::error_code ec;
  const bool existed = std::filesystem::exists(key, ec);
  const uint64_t size = existed ? std::filesystem::file_size(key, ec) : 0;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    if (files_.find(key) == files_.end()) Track(key, size, existed);
  }
  *result = std::make_unique<PowerLossFile>(this, key, std::move(file), size);
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  // WAL recycling is off in the broker; treat a reuse as a new file.
  if (rocksdb::IOStatus s = RenameFile(old_name, name, rocksdb::IOOptions(), dbg); !s.ok()) {
    return s;
  }
  return NewWritableFile(name, options, result, dbg);
}

rocksdb::IOStatus PowerLossFileSystem::NewDirectory(const std::string& name,
                                                    const rocksdb::IOOptions& options,
                                                    std::unique_ptr<rocksdb::FSDirectory>* result,
                                                    rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  rocksdb::IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
  if (!s.ok()) return s;
  *result = std::make_unique<PowerLossDirectory>(this, Normal(name), std::move(dir));
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::RenameFile(const std::string& from, const std::string& to,
                                                  const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* dbg) {
  // After the power went nothing reaches the disk: a rename never happens.
  if (crashed()) return rocksdb::IOStatus::OK();
  Rename rename;
  rename.from = Normal(from);
  rename.to = Normal(to);
  std::error_code ec;
  if (std::filesystem::exists(rename.to, ec)) {
    std::ifstream in(rename.to, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    rename.replaced = true;
    rename.old_contents = contents.str();
  }
  rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  absl::MutexLock lock(&mu_);
  File moved;
  if (auto it = files_.find(rename.from); it != files_.end()) {
    moved = it->second;
    files_.erase(it);
  } else {
    moved.size = moved.synced = std::filesystem::file_size(rename.to, ec);
  }
  moved.entry_synced = false;  // until `to`'s directory syncs
  files_[rename.to] = moved;
  renames_.push_back(std::move(rename));
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::DeleteFile(const std::string& name,
                                                  const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* dbg) {
  // Nor does a delete (else a log deleted after an unsynced flush would
  // take its records with it).
  if (crashed()) return rocksdb::IOStatus::OK();
  rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(Normal(name));
  }
  return s;
}

rocksdb::IOStatus PowerLossFileSystem::Appended(const std::string& name, uint64_t end) {
  absl::MutexLock lock(&mu_);
  File& file = files_[name];
  file.size = end;
  file.synced = std::min(file.synced, end);
  return rocksdb::IOStatus::OK();
}

bool PowerLossFileSystem::crashed() const {
  absl::MutexLock lock(&mu_);
  return crashed_;
}

void PowerLossFileSystem::Synced(const std::string& name, uint64_t size) {
  absl::MutexLock lock(&mu_);
  ++syncs_;
  auto it = files_.find(name);
  if (it != files_.end()) it->second.synced = std::max(it->second.synced, size);
}

void PowerLossFileSystem::DirectorySynced(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  for (auto& [name, file] : files_) {
    if (ParentOf(name) == dir) file.entry_synced = true;
  }
  renames_.erase(std::remove_if(renames_.begin(), renames_.end(),
                                [&](const Rename& r) { return ParentOf(r.to) == dir; }),
                 renames_.end());
}

void PowerLossFileSystem::HoldSyncs(bool hold) {
  absl::MutexLock lock(&mu_);
  held_ = hold;
}

void PowerLossFileSystem::AwaitSyncsAllowed() const {
  absl::MutexLock lock(&mu_);
  ++waiting_;
  auto allowed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !held_; };
  mu_.Await(absl::Condition(&allowed));
  --waiting_;
}

void PowerLossFileSystem::AwaitHeldSync() const {
  absl::MutexLock lock(&mu_);
  auto waiting = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiting_ > 0; };
  mu_.Await(absl::Condition(&waiting));
}

void PowerLossFileSystem::Crash() {
  absl::MutexLock lock(&mu_);
  crashed_ = true;
}

void PowerLossFileSystem::Restart() {
  absl::MutexLock lock(&mu_);
  std::error_code ec;
  for (const auto& [name, file] : files_) {
    if (!file.entry_synced) {
      if (std::filesystem::remove(name, ec)) ++files_dropped_;
      continue;
    }
    const uint64_t on_disk = std::filesystem::file_size(name, ec);
    if (!ec && on_disk > file.synced) {
      std::filesystem::resize_file(name, file.synced, ec);
      bytes_dropped_ += static_cast<int64_t>(on_disk - file.synced);
    }
  }
  // A rename that was not made durable never happened: the old file comes
  // back (the renamed one went with its unsynced entry above).
  for (auto it = renames_.rbegin(); it != renames_.rend(); ++it) {
    if (!it->replaced) continue;
    std::ofstream out(it->to, std::ios::binary | std::ios::trunc);
    out << it->old_contents;
  }
  files_.clear();
  renames_.clear();
  crashed_ = false;
}

int PowerLossFileSystem::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

int64_t PowerLossFileSystem::bytes_dropped() const {
  absl::MutexLock lock(&mu_);
  return bytes_dropped_;
}

int PowerLossFileSystem::files_dropped() const {
  absl::MutexLock lock(&mu_);
  return files_dropped_;
}

}  // namespace dsr::testing
