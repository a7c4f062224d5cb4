#ifndef DSR_BROKER_NOTIFY_MESSAGE_SENDER_H_
#define DSR_BROKER_NOTIFY_MESSAGE_SENDER_H_

// Messages to people: one-time codes, and milestones of their requests.
// A sender queues and returns at once; it sends in the background, retries
// a failed send, and logs failures without the address. Implementations are
// thread-safe.

#include <string>

#include "absl/status/status.h"

namespace dsr::broker {

struct OutgoingMessage {
  // Where to: a normalised email address or E.164 phone number. Never
  // logged.
  std::string to;
  // One line, UTF-8; empty for a text message.
  std::string subject;
  // Plain text, UTF-8, lines separated by "\n".
  std::string body;
};

class MessageSender {
 public:
  virtual ~MessageSender() = default;
  // Queues `message`. RESOURCE_EXHAUSTED when the queue is full (the message
  // is dropped); never waits for the network.
  virtual absl::Status Send(OutgoingMessage message) = 0;
  // Delivers `message` now, on the caller's thread, and says whether it was
  // delivered: for callers that keep their own durable queue (the outbox).
  // Default: queues it (Send), for senders without a synchronous path.
  virtual absl::Status DeliverNow(const OutgoingMessage& message) { return Send(message); }
  // Whether Send would take a message now (a full queue would drop it).
  virtual bool HasRoom() const { return true; }
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_NOTIFY_MESSAGE_SENDER_H_
