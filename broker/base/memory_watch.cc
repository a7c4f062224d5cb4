#include "broker/base/memory_watch.h"

#include <malloc.h>

namespace dsr::broker {

size_t HeapBytesInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

MemoryWatch::MemoryWatch(size_t high_bytes, absl::Duration interval,
                         std::function<void(bool over)> over)
    : high_bytes_(high_bytes), over_(std::move(over)) {
  if (high_bytes_ == 0) return;
  thread_ = std::thread([this, interval] {
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        const auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval)) return;
      }
      CheckNow();
    }
  });
}

MemoryWatch::~MemoryWatch() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void MemoryWatch::CheckNow() {
  if (high_bytes_ == 0) return;
  const size_t used = HeapBytesInUse();
  bool changed = false, over = false;
  {
    absl::MutexLock lock(&mu_);
    if (!is_over_ && used >= high_bytes_) {
      is_over_ = changed = over = true;
    } else if (is_over_ && used < high_bytes_ / 10 * 9) {
      is_over_ = false;
      changed = true;
    }
    over = is_over_;
  }
  // Freed memory goes back to the system, so that the host sees it too.
  if (over || changed) malloc_trim(0);
  if (changed) over_(over);
}

}  // namespace dsr::broker
