#ifndef DSR_STORAGE_DESCRIPTOR_RESERVE_H_
#define DSR_STORAGE_DESCRIPTOR_RESERVE_H_

// Keeps file descriptors in reserve for the store. The process shares its
// file limit with the network: a flood of connections can take every
// descriptor, and RocksDB then fails to open its next log or table file,
// which fails the store. The reserve holds a few descriptors (of /dev/null)
// from the start; when one of the store's opens fails for want of a
// descriptor (EMFILE, ENFILE), it gives them up and the open is tried again,
// and it takes them back as soon as descriptors are free again.
//
// Thread-safe.

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace dsr::storage {

class DescriptorReserve {
 public:
  // Takes up to `size` descriptors now.
  explicit DescriptorReserve(int size);
  ~DescriptorReserve();
  DescriptorReserve(const DescriptorReserve&) = delete;
  DescriptorReserve& operator=(const DescriptorReserve&) = delete;

  // Gives every held descriptor back to the process; false if none was held.
  bool Release() ABSL_LOCKS_EXCLUDED(mu_);
  // Takes descriptors until `size` are held again, or none is free.
  void Refill() ABSL_LOCKS_EXCLUDED(mu_);
  int held() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const int size_;
  mutable absl::Mutex mu_;
  std::vector<int> fds_ ABSL_GUARDED_BY(mu_);
};

// `base` whose opens fall back on `reserve` when the process is out of
// descriptors.
std::shared_ptr<rocksdb::FileSystem> NewReservedFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base, std::shared_ptr<DescriptorReserve> reserve);

}  // namespace dsr::storage

#endif  // DSR_STORAGE_DESCRIPTOR_RESERVE_H_
