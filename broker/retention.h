#ifndef DSR_BROKER_RETENTION_H_
#define DSR_BROKER_RETENTION_H_

// Retention of personal data (issue 5): once a request is final (every task
// completed, refused or cancelled), its personal data is destroyed after the
// retention period by deleting its data key (RequestVault::Purge). The
// request's shape, task states and audit events remain. Requests join the
// queue (column family `final_requests`) when they become final
// (CountTaskChange); a request reopened by a late link leaves a stale queue
// entry that the sweep drops. Thread-safe.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/clock.h"
#include "broker/journal.h"
#include "broker/request_vault.h"
#include "storage/store.h"

namespace dsr::broker {

// The default retention period: 180 days.
inline constexpr absl::Duration kDefaultRetention = absl::Hours(24 * 180);

class RetentionSweeper {
 public:
  // All must outlive the sweeper.
  RetentionSweeper(storage::Store* store, const Clock* clock, Journal* journal,
                   const RequestVault* vault, absl::Duration retention)
      : store_(store), clock_(clock), journal_(journal), vault_(vault), retention_(retention) {}

  // Purges every request final for at least the retention period, in commits
  // of at most `batch_size` requests, then scrubs the database files of
  // their old versions (Store::Scrub). Returns how many it purged. A queue
  // entry that cannot be used is logged and dropped, never retried forever.
  absl::StatusOr<int> Sweep(int batch_size = 100);

 private:
  absl::Status SweepBatches(int batch_size, int* purged, std::vector<storage::KeyRange>* scrub);

  storage::Store* const store_;
  const Clock* const clock_;
  Journal* const journal_;
  const RequestVault* const vault_;
  const absl::Duration retention_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_RETENTION_H_
