#ifndef DSR_BROKER_LIFECYCLE_OVERDUE_H_
#define DSR_BROKER_LIFECYCLE_OVERDUE_H_

// Overdue detection (SPEC §4): a task still awaiting an answer after its due
// time is announced once on its holder's inbox (TASK_OVERDUE). The
// announcement is stored with the task, so a restart never repeats it.
// Thread-safe.

#include "absl/status/statusor.h"
#include "broker/base/clock.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "storage/store.h"

namespace dsr::broker {

class OverdueSweeper {
 public:
  // Both must outlive the sweeper. "Now" is the journal's clock.
  OverdueSweeper(storage::Store* store, Journal* journal) : store_(store), journal_(journal) {}

  // Announces every task that is past due now and not yet announced, in
  // commits of at most `batch_size` tasks. Returns how many it announced.
  absl::StatusOr<int> Sweep(int batch_size = 1000);

 private:
  storage::Store* const store_;
  Journal* const journal_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_LIFECYCLE_OVERDUE_H_
