#ifndef DSR_BROKER_NOTIFY_SEND_QUEUE_H_
#define DSR_BROKER_NOTIFY_SEND_QUEUE_H_

// A MessageSender that runs one delivery function on its own thread, with a
// bounded queue and retries after growing waits. The transports (SMTP, a
// command, a webhook) only say how one message is delivered once.

#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/notify/message_sender.h"

namespace dsr::broker {

struct SendQueueOptions {
  // What the log calls the channel ("email", "text message").
  std::string channel = "message";
  // Messages waiting at most; one more is refused.
  int max_queued = 1000;
  // Tries per message, and the wait before the second (doubling after).
  int attempts = 5;
  absl::Duration first_retry = absl::Seconds(2);
};

class SendQueue : public MessageSender {
 public:
  // Delivers one message once: OK, or why not (logged without the address,
  // so it must not contain it).
  using Deliver = std::function<absl::Status(const OutgoingMessage&)>;

  SendQueue(SendQueueOptions options, Deliver deliver);
  // Stops after the delivery in progress; what is still queued is dropped
  // (and counted in the log).
  ~SendQueue() override;
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  absl::Status Send(OutgoingMessage message) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DeliverNow(const OutgoingMessage& message) override { return deliver_(message); }
  bool HasRoom() const override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return !stopping_ && static_cast<int>(queue_.size()) < options_.max_queued;
  }

 private:
  struct Pending {
    OutgoingMessage message;
    int attempts = 0;
    absl::Time not_before;
  };
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const SendQueueOptions options_;
  const Deliver deliver_;
  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_NOTIFY_SEND_QUEUE_H_
