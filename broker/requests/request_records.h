#ifndef DSR_BROKER_REQUESTS_REQUEST_RECORDS_H_
#define DSR_BROKER_REQUESTS_REQUEST_RECORDS_H_

// Conversions between the stored records of requests and tasks and their API
// messages, and the names of requests and tasks. Pure functions.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/request.pb.h"
#include "storage/write_batch.h"

namespace dsr::broker {

std::string RequestName(absl::string_view request_id);
std::string TaskName(absl::string_view request_id, uint64_t task_number);
// INVALID_ARGUMENT naming `field` unless `name` is `requests/{request}`.
absl::StatusOr<std::string> ParseRequestName(absl::string_view name, absl::string_view field);
struct TaskRef {
  std::string request_id;
  uint64_t task_number = 0;
};
// INVALID_ARGUMENT naming `field` unless `name` is
// `requests/{request}/tasks/{task}`.
absl::StatusOr<TaskRef> ParseTaskName(absl::string_view name, absl::string_view field);

bool IsTerminal(int task_state);
// Whether `task` is past its due time at `now` without an answer. A task
// waiting for the person's identity has its clock stopped: never overdue.
bool IsOverdue(const dsr::storage::v1::TaskRecord& task, absl::Time now);

// Whose view of a task: the holder's carries the request's identifiers and
// details (it must find the person); the person's does not repeat them in
// every task (they are in the request once).
enum class TaskView { kHolder, kPerson };

// The API task: its record, with the request's type (and, for the holder,
// identifiers and details from `subject`, null once purged) and the overdue
// flag as of `now`. Without its path, which the caller adds (RoutePaths).
dsr::v1::Task TaskFromRecord(const dsr::storage::v1::TaskRecord& task,
                             const dsr::storage::v1::RequestRecord& request,
                             const dsr::storage::v1::SubjectRecord* subject, absl::Time now,
                             TaskView view);

// The API request, with identifiers and details from `subject` (null once
// purged), its state and counts derived from `tasks`.
dsr::v1::Request RequestFromRecord(const dsr::storage::v1::RequestRecord& request,
                                   const dsr::storage::v1::SubjectRecord* subject,
                                   const std::vector<dsr::storage::v1::TaskRecord>& tasks,
                                   absl::Time now);

// Keeps the request's count of open tasks when a task moves from state
// `before` to `after` (0 for a new task); when the last open task closes,
// the request becomes final at `now` and joins the retention queue in
// `batch`. Returns whether `request` changed (the caller writes it).
bool CountTaskChange(int before, int after, absl::Time now, storage::WriteBatch& batch,
                     dsr::storage::v1::RequestRecord* request);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_REQUEST_RECORDS_H_
