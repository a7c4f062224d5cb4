#include "storage/descriptor_reserve.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "rocksdb/file_system.h"

namespace dsr::storage {

DescriptorReserve::DescriptorReserve(int size) : size_(size) { Refill(); }

DescriptorReserve::~DescriptorReserve() { Release(); }

bool DescriptorReserve::Release() {
  absl::MutexLock lock(&mu_);
  if (fds_.empty()) return false;
  for (int fd : fds_) ::close(fd);
  fds_.clear();
  return true;
}

void DescriptorReserve::Refill() {
  absl::MutexLock lock(&mu_);
  while (static_cast<int>(fds_.size()) < size_) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    fds_.push_back(fd);
  }
}

int DescriptorReserve::held() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(fds_.size());
}

namespace {

// RocksDB's POSIX file system reports a failed open as an IO error carrying
// strerror's text.
bool OutOfDescriptors(const rocksdb::IOStatus& status) {
  if (status.ok()) return false;
  const std::string text = status.ToString();
  return text.find("Too many open files") != std::string::npos;
}

class ReservedFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  ReservedFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                     std::shared_ptr<DescriptorReserve> reserve)
      : FileSystemWrapper(std::move(base)), reserve_(std::move(reserve)) {}

  const char* Name() const override { return "ReservedFileSystem"; }

  rocksdb::IOStatus NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                      rocksdb::IODebugContext* d) override {
    return WithReserve([&] { return target()->NewSequentialFile(f, o, r, d); });
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                        rocksdb::IODebugContext* d) override {
    return WithReserve([&] { return target()->NewRandomAccessFile(f, o, r, d); });
  }
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* d) override {
    return WithReserve([&] { return target()->NewWritableFile(f, o, r, d); });
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* d) override {
    return WithReserve([&] { return target()->ReopenWritableFile(f, o, r, d); });
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* d) override {
    return WithReserve([&] { return target()->ReuseWritableFile(f, old, o, r, d); });
  }
  rocksdb::IOStatus NewDirectory(const std::string& f, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* d) override {
    return WithReserve([&] { return target()->NewDirectory(f, o, r, d); });
  }

 private:
  rocksdb::IOStatus WithReserve(const std::function<rocksdb::IOStatus()>& open) {
    rocksdb::IOStatus opened = open();
    if (OutOfDescriptors(opened) && reserve_->Release()) {
      opened.PermitUncheckedError();
      opened = open();
    } else if (opened.ok()) {
      reserve_->Refill();  // once descriptors are free again; at once when full
    }
    return opened;
  }

  const std::shared_ptr<DescriptorReserve> reserve_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewReservedFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base, std::shared_ptr<DescriptorReserve> reserve) {
  return std::make_shared<ReservedFileSystem>(std::move(base), std::move(reserve));
}

}  // namespace dsr::storage
