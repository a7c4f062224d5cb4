#ifndef DSR_BROKER_BASE_MEMORY_WATCH_H_
#define DSR_BROKER_BASE_MEMORY_WATCH_H_

// Watches the heap the process holds (malloc's bytes in use, which fall when
// memory is freed, unlike the resident size) against a high-water mark, on
// a thread of its own, and says when it crosses it: so that health can turn
// NOT_SERVING and the broker shed calls before the host runs out of memory,
// whatever fills it (gRPC's per-stream state under an HTTP/2 flood among
// others, which the broker cannot bound itself). Thread-safe.

#include <cstddef>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dsr::broker {

// Bytes malloc has handed out and not had back (mallinfo2).
size_t HeapBytesInUse();

class MemoryWatch {
 public:
  // Checks every `interval`; `over` is called with true when the heap
  // reaches `high_bytes`, and with false once it is back under 90% of it
  // (returning freed memory to the system meanwhile). `high_bytes` 0 turns
  // the watch off.
  MemoryWatch(size_t high_bytes, absl::Duration interval, std::function<void(bool over)> over);
  // Stops the thread.
  ~MemoryWatch();
  MemoryWatch(const MemoryWatch&) = delete;
  MemoryWatch& operator=(const MemoryWatch&) = delete;

  // Checks once now, on the calling thread (tests).
  void CheckNow() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t high_bytes_;
  const std::function<void(bool)> over_;
  absl::Mutex mu_;
  bool is_over_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_MEMORY_WATCH_H_
