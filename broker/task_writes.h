#ifndef DSR_BROKER_TASK_WRITES_H_
#define DSR_BROKER_TASK_WRITES_H_

// What a new or changed task adds to a write batch: the record and, for a new
// task, the indexes by actor and by holding. Shared by submission, late links
// and the task transitions, so that the indexes are always written alike.

#include "dsr/storage/v1/request_records.pb.h"
#include "storage/write_batch.h"

namespace dsr::broker {

// A task that did not exist: its record and both indexes.
void PutNewTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task);

// A task whose record changed (state, extension); the indexes stay.
void PutTask(storage::WriteBatch& batch, const dsr::storage::v1::TaskRecord& task);

}  // namespace dsr::broker

#endif  // DSR_BROKER_TASK_WRITES_H_
