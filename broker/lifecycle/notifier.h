#ifndef DSR_BROKER_LIFECYCLE_NOTIFIER_H_
#define DSR_BROKER_LIFECYCLE_NOTIFIER_H_

// Sends the messages queued in the `outbox` (broker/requests/milestones.h):
// each once its write is durable (the notifier waits for the sync after
// reading the outbox), addressed from the
// request's sealed personal data, delivered, and deleted. A failed send is
// retried after growing waits and logged without the address; after
// kMaxAttempts it is given up; after a failed delivery the rest waits for
// the next sweep. Nothing here blocks or undoes a request.
// Thread-compatible: one sweep at a time.

#include "absl/status/statusor.h"
#include "broker/base/clock.h"
#include "broker/journal/journal.h"
#include "broker/notify/message_sender.h"
#include "broker/privacy/request_vault.h"
#include "storage/store.h"

namespace dsr::broker {

class Notifier {
 public:
  static constexpr int kMaxAttempts = 8;

  // All must outlive the notifier; `email` may be null (messages are then
  // dropped as they come due, and the log says so).
  Notifier(storage::Store* store, Journal* journal, const RequestVault* vault, MessageSender* email,
           const Clock* clock)
      : store_(store), journal_(journal), vault_(vault), email_(email), clock_(clock) {}

  // Sends the messages due at the clock's time, at most `max`; returns how
  // many were delivered.
  absl::StatusOr<int> DeliverDue(int max = 100);

 private:
  storage::Store* const store_;
  Journal* const journal_;
  const RequestVault* const vault_;
  MessageSender* const email_;
  const Clock* const clock_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_LIFECYCLE_NOTIFIER_H_
