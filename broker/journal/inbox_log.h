#ifndef DSR_BROKER_JOURNAL_INBOX_LOG_H_
#define DSR_BROKER_JOURNAL_INBOX_LOG_H_

// The actors' inboxes: per-actor event sequences, gap-free and increasing.
// Events are written in the same batch as the mutation they report, under
// the journal's mutation lock, so sequence numbers are committed in order.
// An event is delivered only once durable: a crash cannot take back (and
// later re-number) an event an actor has seen.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/inbox.pb.h"
#include "storage/store.h"

namespace dsr::broker {

// Whether events of `kind` are about a link (LINK_*) rather than a task.
inline bool IsLinkEvent(dsr::v1::InboxEvent::Kind kind) {
  return kind == dsr::v1::InboxEvent::LINK_PROPOSED || kind == dsr::v1::InboxEvent::LINK_ACCEPTED ||
         kind == dsr::v1::InboxEvent::LINK_REJECTED;
}

// The state of every inbox: last sequence and committed cursor, cached from
// the store. Thread-safe. Writers call Stage and Publish under the journal's
// mutation lock; readers may call anything at any time.
class InboxLog {
 public:
  // `store` must outlive the log.
  explicit InboxLog(const storage::Store* store) : store_(store) {}
  // Waits for the durability callbacks of earlier Publish calls.
  ~InboxLog();
  InboxLog(const InboxLog&) = delete;
  InboxLog& operator=(const InboxLog&) = delete;

  // Called once the events of a Publish are durable, with every actor whose
  // inbox changed, outside the log's lock, on the publishing or the store's
  // syncing thread: it must return quickly.
  using Listener = std::function<void(const std::vector<std::string>& actor_ids)>;
  // Set once, before any Publish.
  void SetListener(Listener listener) { listener_ = std::move(listener); }

  // The stored state of `actor_id`'s inbox (zeros for an empty one).
  absl::StatusOr<dsr::storage::v1::InboxStateRecord> State(const std::string& actor_id) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Records that a batch holding `states` was applied: the cache takes them
  // at once (for the next mutation), and once the batch is durable its
  // events become deliverable and the listener is told.
  void Publish(const absl::flat_hash_map<std::string, dsr::storage::v1::InboxStateRecord>& states)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The last sequence of `actor_id`'s inbox that may be delivered: every
  // event up to it is durable.
  absl::StatusOr<uint64_t> Deliverable(const std::string& actor_id) const ABSL_LOCKS_EXCLUDED(mu_);

  // The store recovered from a failed write (storage::Store::health): the
  // events whose durability the failure left unknown are durable now (the
  // recovery flushed everything applied before it), so they become
  // deliverable and the listener is told.
  void Recovered() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Events up to each `last` are durable: deliverable, and the listener is
  // told.
  void MakeDeliverable(const std::vector<std::pair<std::string, uint64_t>>& changed)
      ABSL_LOCKS_EXCLUDED(mu_);

  const storage::Store* const store_;
  Listener listener_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, dsr::storage::v1::InboxStateRecord> cache_
      ABSL_GUARDED_BY(mu_);
  // Durable last sequence of every cached inbox.
  mutable absl::flat_hash_map<std::string, uint64_t> durable_ ABSL_GUARDED_BY(mu_);
  // Last sequences of Publish calls that a store failure held back, until
  // Recovered.
  std::vector<std::pair<std::string, uint64_t>> held_back_ ABSL_GUARDED_BY(mu_);
};

// The inbox events of one mutation: Journal::Mutation::inbox(). Not
// thread-safe.
class InboxAppender {
 public:
  InboxAppender(InboxLog* log, storage::WriteBatch* batch, absl::Time now)
      : log_(log), batch_(batch), now_(now) {}

  // Adds an event about `resource_name` to `actor_id`'s inbox: a task name
  // for TASK_* kinds, a link name for LINK_* kinds.
  absl::Status Append(const std::string& actor_id, dsr::v1::InboxEvent::Kind kind,
                      const std::string& resource_name);

  // Sets `actor_id`'s committed cursor.
  absl::Status SetCommitted(const std::string& actor_id, uint64_t cursor);

  // Tells the log's listener of the new events: Journal::Mutation calls it
  // once its batch is committed.
  void Published() { log_->Publish(states_); }

 private:
  absl::StatusOr<dsr::storage::v1::InboxStateRecord*> StateOf(const std::string& actor_id);

  InboxLog* const log_;
  storage::WriteBatch* const batch_;
  const absl::Time now_;
  absl::flat_hash_map<std::string, dsr::storage::v1::InboxStateRecord> states_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_JOURNAL_INBOX_LOG_H_
