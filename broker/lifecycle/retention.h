#ifndef DSR_BROKER_LIFECYCLE_RETENTION_H_
#define DSR_BROKER_LIFECYCLE_RETENTION_H_

// Retention of personal data (issue 5): once a request is final (every task
// completed, refused or cancelled), its personal data is destroyed after the
// retention period by deleting its data key (RequestVault::Purge). The
// request's shape, task states and audit events remain. Requests join the
// queue (column family `final_requests`) when they become final
// (CountTaskChange). A request reopened by a late link (late_links.h) joins
// the queue again at its reopening time: if it is final again by then, that
// entry and the older one are stale and dropped (the request's own final
// time has its entry); if it is still open R after the reopening, the sweep
// withdraws the tasks nobody answered (CANCELLED, their holders told) and
// purges it, so no holder can keep a person's data by staying silent.
// Thread-safe.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/privacy/request_vault.h"
#include "storage/store.h"

namespace dsr::broker {

// The default retention period: 180 days.
inline constexpr absl::Duration kDefaultRetention = absl::Hours(24 * 180);

class RetentionSweeper {
 public:
  // All must outlive the sweeper.
  RetentionSweeper(storage::Store* store, Journal* journal, const RequestVault* vault,
                   absl::Duration retention)
      : store_(store), journal_(journal), vault_(vault), retention_(retention) {}

  // Purges every request final for at least the retention period, in commits
  // of at most `batch_size` requests, then scrubs the database files of
  // their old versions (Store::Scrub). Returns how many it purged. A queue
  // entry that cannot be used is logged and dropped, never retried forever.
  //
  // Each purge records, in its own commit, that its request's files are yet
  // to be scrubbed (`pending_scrubs`); the record goes once the scrub is
  // done. So a scrub a crash (or a failure) cut short is done by the next
  // sweep, the first of which runs at start. `scrub` false leaves them
  // pending (tests: a kill between the purge and the scrub).
  absl::StatusOr<int> Sweep(int batch_size = 100, bool scrub = true);

 private:
  absl::Status SweepBatches(int batch_size, int* purged);
  // Scrubs the files of the requests whose scrub is pending (at most 1,000
  // at a time), then forgets them.
  absl::Status ScrubPending();
  // Withdraws the open tasks of a reopened request whose time is up.
  absl::Status WithdrawOpenTasks(dsr::storage::v1::RequestRecord& request, absl::Time now,
                                 storage::WriteBatch& batch, InboxAppender& inbox) const;

  storage::Store* const store_;
  Journal* const journal_;
  const RequestVault* const vault_;
  const absl::Duration retention_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_LIFECYCLE_RETENTION_H_
