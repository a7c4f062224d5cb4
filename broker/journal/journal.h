#ifndef DSR_BROKER_JOURNAL_JOURNAL_H_
#define DSR_BROKER_JOURNAL_JOURNAL_H_

// The single way domain logic commits a mutation: the mutation's write batch
// plus its audit events, chained onto the audit log's head, applied in one
// atomic write. A failed commit leaves the head where it was, so the chain
// never has a gap.
//
// Thread-safe. Mutations are serialised by the journal's mutation lock: a
// mutation takes it (MutationLock) before its checks and keeps it through
// Commit, so that its checks see every earlier mutation and the sequences it
// allocates (audit, inbox) are committed in order. Registry and requests share
// this one lock because a registry write (a late link) can touch requests.
//
// Group commit: Commit applies the batch without waiting for the disk
// (storage::Store::Apply), so the lock is never held across an fsync, and
// the commits of concurrent mutations share one write-ahead-log sync. A
// committed mutation is therefore not yet durable: whoever reports it (or
// anything read after it) must first wait for Store::WhenDurable, as the
// service layer does for every call. Its effects are visible to later
// mutations at once, which is safe: the log is replayed in order, so a later
// mutation is never durable without the earlier ones it saw.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"
#include "broker/base/principal.h"
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
  // Reads the audit head (the last event) from the store. Both must outlive
  // the journal.
  static absl::StatusOr<std::unique_ptr<Journal>> Open(storage::Store* store, const Clock* clock);

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Holds the journal's mutation lock for its lifetime.
  class ABSL_SCOPED_LOCKABLE MutationLock {
   public:
    explicit MutationLock(Journal* journal) ABSL_EXCLUSIVE_LOCK_FUNCTION(journal->mu_)
        : lock_(&journal->mu_) {}
    ~MutationLock() ABSL_UNLOCK_FUNCTION() {}

   private:
    absl::MutexLock lock_;
  };

  // Appends `entries` (at least one) as audit events by `principal` to
  // `batch` and applies it (durable once the store says so, above). Returns
  // the write's status; on failure nothing of the batch is stored.
  // REQUIRES: the caller holds a MutationLock.
  absl::Status Commit(storage::WriteBatch& batch, const Principal& principal,
                      const std::vector<AuditEntry>& entries) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same for one entry.
  absl::Status Commit(storage::WriteBatch& batch, const Principal& principal, std::string action,
                      std::string resource) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // For code its caller runs under a MutationLock (a callee, a lambda):
  // checks that the lock is held (by some thread: absl's check) and tells
  // the thread-safety analysis so.
  void AssertMutationHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK(mu_) { mu_.AssertHeld(); }

  // The sequence number of the last committed event; 0 for an empty log.
  uint64_t head_sequence() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Journal(storage::Store* store, const Clock* clock, uint64_t head, std::string head_hash)
      : store_(store), clock_(clock), head_(head), head_hash_(std::move(head_hash)) {}

  storage::Store* const store_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  std::string head_hash_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_JOURNAL_JOURNAL_H_
