#ifndef DSR_BROKER_JOURNAL_JOURNAL_H_
#define DSR_BROKER_JOURNAL_JOURNAL_H_

// The single way domain logic changes the store: a Journal::Mutation. It
// holds the journal's mutation lock from its checks to its commit, replays an
// idempotent call, collects the write batch, the inbox events and the audit
// entries, and commits them in one call: the audit entries are chained onto
// the audit log's head and applied with the batch in one atomic write, then
// the inbox events are published. A failed commit leaves the head where it
// was, so the chain never has a gap, and publishes nothing.
//
// Thread-safe. Mutations are serialised by the mutation lock, so that their
// checks see every earlier mutation and the sequences they allocate (audit,
// inbox) are committed in order. Registry and requests share this one lock
// because a registry write (a late link) can touch requests.
//
// Group commit: Commit applies the batch without waiting for the disk
// (storage::Store::Apply), so the lock is never held across an fsync, and
// the commits of concurrent mutations share one write-ahead-log sync. A
// committed mutation is therefore not yet durable: whoever reports it (or
// anything read after it) must first wait for Store::WhenDurable, as the
// core's CallRunner does for every call. Its effects are visible to later
// mutations at once, which is safe: the log is replayed in order, so a later
// mutation is never durable without the earlier ones it saw.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"
#include "broker/base/principal.h"
#include "broker/journal/idempotency.h"
#include "broker/journal/inbox_log.h"
#include "storage/store.h"

namespace dsr::broker {

// What one mutation did, for the audit log. No personal data: `action` is a
// method name, `resource` a resource name.
struct AuditEntry {
  std::string action;
  std::string resource;
};

class Journal {
 public:
  // Reads the audit head (the last event) from the store. All must outlive
  // the journal.
  static absl::StatusOr<std::unique_ptr<Journal>> Open(storage::Store* store, const Clock* clock,
                                                       InboxLog* inbox);

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // One mutation (above). Not thread-safe: one thread uses it, and commits
  // it at most once.
  class ABSL_SCOPED_LOCKABLE Mutation {
   public:
    // Takes the mutation lock, held until the mutation goes. `call`, when
    // given, is the idempotency key of the call that makes the mutation;
    // it must outlive the mutation.
    explicit Mutation(Journal* journal, const IdempotentCall* call = nullptr)
        ABSL_EXCLUSIVE_LOCK_FUNCTION(journal->mu_);
    ~Mutation() ABSL_UNLOCK_FUNCTION();
    Mutation(const Mutation&) = delete;
    Mutation& operator=(const Mutation&) = delete;

    // The clock's time when the lock was taken: the mutation's time.
    absl::Time now() const { return now_; }
    // The resource an earlier call with the same key made (its replay), or
    // nullopt; INVALID_ARGUMENT if that call's request differed.
    absl::StatusOr<std::optional<std::string>> Earlier() const;
    // The store, read under the lock: what the checks see.
    const storage::Store& store() const { return *journal_->store_; }

    // What the mutation writes, the events for the actors' inboxes, and the
    // audit entries (at least one by commit; no personal data).
    storage::WriteBatch& batch() { return batch_; }
    InboxAppender& inbox() { return *inbox_; }
    std::vector<AuditEntry>& audit() { return audit_; }
    void Audit(std::string action, std::string resource);
    // Takes `prepared` (a batch made before the lock, with what is costly to
    // build: sealed personal data, say) as the mutation's batch. REQUIRES:
    // nothing was added to the mutation's batch or inbox yet.
    void Adopt(storage::WriteBatch prepared) { batch_ = std::move(prepared); }
    // Drops what was collected (batch, inbox events, audit entries), to
    // commit something else under the same lock (giving up a step that
    // failed half way, say).
    void Reset();
    // Records the call (when keyed) as having made `resource`, so that a
    // retry replays it.
    void RecordCall(absl::string_view resource);

    // Appends the audit entries by `principal` to the batch, applies it
    // (durable once the store says so, above), and publishes the inbox
    // events. On failure nothing of it is stored or published. Only
    // housekeeping (dropping stale index entries) commits without an audit
    // entry.
    absl::Status Commit(const Principal& principal);

   private:
    Journal* const journal_;
    absl::MutexLock lock_;
    const IdempotentCall* const call_;
    const absl::Time now_;
    storage::WriteBatch batch_;
    std::optional<InboxAppender> inbox_;
    std::vector<AuditEntry> audit_;
  };

  // For code its caller runs within a Mutation (a callee, a lambda): checks
  // that the lock is held (by some thread: absl's check) and tells the
  // thread-safety analysis so.
  void AssertMutationHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK(mu_) { mu_.AssertHeld(); }

  // The sequence number of the last committed event; 0 for an empty log.
  uint64_t head_sequence() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Journal(storage::Store* store, const Clock* clock, InboxLog* inbox, uint64_t head,
          std::string head_hash)
      : store_(store),
        clock_(clock),
        inbox_(inbox),
        head_(head),
        head_hash_(std::move(head_hash)) {}

  // Mutation::Commit's write.
  absl::Status Commit(storage::WriteBatch& batch, const Principal& principal,
                      const std::vector<AuditEntry>& entries) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::Store* const store_;
  const Clock* const clock_;
  InboxLog* const inbox_;
  mutable absl::Mutex mu_;
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  std::string head_hash_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_JOURNAL_JOURNAL_H_
