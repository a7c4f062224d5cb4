#include "broker/notify/send_queue.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/log.h"

namespace dsr::broker {

SendQueue::SendQueue(SendQueueOptions options, Deliver deliver)
    : options_(std::move(options)), deliver_(std::move(deliver)) {
  thread_ = std::thread([this] { Run(); });
}

SendQueue::~SendQueue() {
  size_t dropped = 0;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  {
    absl::MutexLock lock(&mu_);
    dropped = queue_.size();
  }
  if (dropped > 0) {
    LogError(absl::StrCat(options_.channel, ": ", dropped, " messages not sent at shutdown"));
  }
}

absl::Status SendQueue::Send(OutgoingMessage message) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || static_cast<int>(queue_.size()) >= options_.max_queued) {
    LogError(absl::StrCat(options_.channel, ": queue full, a message was dropped"));
    return absl::ResourceExhaustedError(
        absl::StrCat("the broker cannot send a ", options_.channel, " now; retry later"));
  }
  queue_.push_back(Pending{std::move(message), 0, absl::InfinitePast()});
  return absl::OkStatus();
}

void SendQueue::Run() {
  while (true) {
    Pending next;
    {
      absl::MutexLock lock(&mu_);
      // Waits for a message whose time has come (retries wait behind new
      // messages), or for the stop.
      while (true) {
        if (stopping_) return;
        const absl::Time now = absl::Now();
        auto ready = std::find_if(queue_.begin(), queue_.end(),
                                  [now](const Pending& p) { return p.not_before <= now; });
        if (ready != queue_.end()) {
          next = std::move(*ready);
          queue_.erase(ready);
          break;
        }
        absl::Time earliest = absl::InfiniteFuture();
        for (const Pending& p : queue_) earliest = std::min(earliest, p.not_before);
        const size_t seen = queue_.size();
        auto changed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || queue_.size() != seen;
        };
        if (earliest == absl::InfiniteFuture()) {
          mu_.Await(absl::Condition(&changed));
        } else {
          mu_.AwaitWithTimeout(absl::Condition(&changed), earliest - now);
        }
      }
    }
    const absl::Status sent = deliver_(next.message);
    ++next.attempts;
    absl::MutexLock lock(&mu_);
    if (sent.ok()) continue;
    if (next.attempts >= options_.attempts) {
      LogError(absl::StrCat(options_.channel, " not sent after ", next.attempts,
                            " attempts, given up: ", sent.message()));
      continue;
    }
    LogError(absl::StrCat(options_.channel, " not sent (attempt ", next.attempts, " of ",
                          options_.attempts, "), will retry: ", sent.message()));
    next.not_before =
        absl::Now() + options_.first_retry * (int64_t{1} << std::min(next.attempts - 1, 10));
    // Retries go to the back, so that one unreachable address does not hold
    // up the others.
    queue_.push_back(std::move(next));
  }
}

}  // namespace dsr::broker
