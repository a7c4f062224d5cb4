#ifndef DSR_BROKER_REQUESTS_TASK_CREATION_H_
#define DSR_BROKER_REQUESTS_TASK_CREATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/journal/inbox_log.h"
#include "broker/requests/routing.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/write_batch.h"

namespace dsr::broker {

// Makes the tasks of `plan`'s routes for request `request_id`, numbered from
// `first_number` in plan order: OPEN, due one calendar month after `now`.
// Adds each to `batch` with its indexes and a TASK_CREATED event to its
// holder's inbox, and adds a route node for each of the plan's
// pass-throughs. `numbers` maps the holdings of the request that have a task
// already to its number (for via_task); it gains the new ones. Shared by
// submission and late links.
absl::StatusOr<std::vector<dsr::storage::v1::TaskRecord>> CreateTasks(
    const std::string& request_id, uint64_t first_number, const RoutePlan& plan,
    absl::flat_hash_map<std::string, uint64_t>& numbers, absl::Time now, storage::WriteBatch& batch,
    InboxAppender& inbox);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_TASK_CREATION_H_
