#ifndef DSR_BROKER_REQUESTS_TASK_WRITES_H_
#define DSR_BROKER_REQUESTS_TASK_WRITES_H_

// What a new or changed task adds to a write batch: the record and, for a new
// task, the indexes by actor and by holding. Shared by submission, late links
// and the task transitions, so that the indexes are always written alike.

#include "dsr/storage/v1/request_records.pb.h"
#include "storage/write_batch.h"

namespace dsr::broker {

// A task that did not exist: its record and its indexes (by actor, by
// holding, by due time).
void PutNewTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task);

// A task whose record changed from `before` to `after` (state, due time,
// overdue announcement): the record, and the due-time index moved to match.
// A task is in the due-time index while it awaits an answer and its overdue
// announcement.
void PutChangedTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& before,
                    const dsr::storage::v1::TaskRecord& after);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_TASK_WRITES_H_
