#ifndef DSR_TESTS_SUPPORT_FAKE_SENDER_H_
#define DSR_TESTS_SUPPORT_FAKE_SENDER_H_

// A MessageSender that keeps what it is given, for tests that read the codes
// a person would receive. Thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/notify/message_sender.h"

namespace dsr::testing {

class FakeSender : public broker::MessageSender {
 public:
  absl::Status Send(broker::OutgoingMessage message) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (failures_ > 0) {
      --failures_;
      return absl::UnavailableError("the fake server refused the message");
    }
    sent_.push_back(std::move(message));
    return absl::OkStatus();
  }
  // The next `n` sends fail, as a server that is down.
  void FailNext(int n) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    failures_ = n;
  }
  std::vector<broker::OutgoingMessage> sent() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return sent_;
  }
  // Waits (up to `timeout`) for message number `index` (from 0), which is
  // sent once the verification is durable, after the call returns.
  std::optional<broker::OutgoingMessage> WaitFor(size_t index,
                                                 absl::Duration timeout = absl::Seconds(10))
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto arrived = [this, index]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return sent_.size() > index; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout)) return std::nullopt;
    return sent_[index];
  }
  // The code in message `index`: its first run of 8 digits.
  std::string CodeIn(size_t index) {
    std::optional<broker::OutgoingMessage> message = WaitFor(index);
    if (!message.has_value()) return "";
    const std::string& body = message->body;
    for (size_t i = 0; i + 8 <= body.size(); ++i) {
      size_t n = 0;
      while (n < 8 && body[i + n] >= '0' && body[i + n] <= '9') ++n;
      if (n == 8) return body.substr(i, 8);
    }
    return "";
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<broker::OutgoingMessage> sent_ ABSL_GUARDED_BY(mu_);
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_FAKE_SENDER_H_
