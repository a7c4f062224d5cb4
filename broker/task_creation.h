#ifndef DSR_BROKER_TASK_CREATION_H_
#define DSR_BROKER_TASK_CREATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/inbox_log.h"
#include "broker/routing.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/write_batch.h"

namespace dsr::broker {

// Makes task `task_number` of request `request_id` for `route`: OPEN, due one
// calendar month after `now`. Adds it to `batch` with its indexes, and a
// TASK_CREATED event to its holder's inbox. Shared by submission and late
// links.
absl::StatusOr<dsr::storage::v1::TaskRecord> CreateTask(const std::string& request_id,
                                                        uint64_t task_number, const Route& route,
                                                        absl::Time now, storage::WriteBatch& batch,
                                                        InboxAppender& inbox);

}  // namespace dsr::broker

#endif  // DSR_BROKER_TASK_CREATION_H_
