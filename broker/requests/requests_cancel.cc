// Requests: withdrawal by the person.

#include <algorithm>

#include "broker/base/time_util.h"
#include "broker/journal/idempotency.h"
#include "broker/requests/request_records.h"
#include "broker/requests/requests.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;

absl::Status Requests::Cancel(const Principal& principal,
                              const dsr::v1::CancelRequestRequest& request,
                              dsr::v1::GetRequestResponse* response) {
  DSR_ASSIGN_OR_RETURN(std::string request_id, Authorize(principal, request.name()));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call, IdempotentCall::Prepare(principal, "CancelRequest",
                                                                    request, options_.pseudonyms));

  Journal::Mutation mutation(options_.journal, &call);
  RequestRecord record;
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (!earlier.has_value()) {
    if (record.cancelled()) return absl::FailedPreconditionError("request is already cancelled");
    // Withdrawing an answered request would only stop it from following
    // copies declared later (late links); there is nothing left to withdraw.
    if (std::all_of(tasks.begin(), tasks.end(),
                    [](const TaskRecord& t) { return IsTerminal(t.state()); })) {
      return absl::FailedPreconditionError("every task is answered; nothing to withdraw");
    }
    const absl::Time now = mutation.now();
    storage::WriteBatch& batch = mutation.batch();
    InboxAppender& inbox = mutation.inbox();
    for (TaskRecord& task : tasks) {
      if (IsTerminal(task.state())) continue;
      const TaskRecord before = task;
      task.set_state(dsr::v1::Task::CANCELLED);
      CountTaskChange(before.state(), task.state(), now, batch, &record);
      *task.mutable_update_time() = ToProtoTime(now);
      PutChangedTask(batch, before, task);
      DSR_RETURN_IF_ERROR(inbox.Append(task.actor_id(), dsr::v1::InboxEvent::TASK_CANCELLED,
                                       TaskName(request_id, task.task_number())));
    }
    record.set_cancelled(true);
    *record.mutable_cancel_time() = ToProtoTime(now);
    batch.Put(storage::ColumnFamily::kRequests, storage::keys::Request(request_id), record);
    mutation.RecordCall(request.name());
    mutation.Audit("CancelRequest", request.name());
    DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  }
  return FillResponse(record, tasks, 0, options_.limits.max_page_size, response->mutable_request(),
                      response->mutable_tasks(), response->mutable_next_page_token());
}

}  // namespace dsr::broker
