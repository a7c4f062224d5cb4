// Requests: the person proves their identity again for the holders that
// asked (ConfirmIdentity, docs/IDENTITY.md "Holders may ask for more").

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/base/time_util.h"
#include "broker/requests/identity_policy.h"
#include "broker/requests/request_records.h"
#include "broker/requests/requests.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::SubjectRecord;
using dsr::storage::v1::TaskRecord;

absl::Status Requests::ConfirmIdentity(const Principal& principal,
                                       const dsr::v1::ConfirmIdentityRequest& request,
                                       dsr::v1::GetRequestResponse* response) {
  DSR_ASSIGN_OR_RETURN(std::string request_id, Authorize(principal, request.name()));
  if (request.verification_tokens().empty() ||
      request.verification_tokens_size() > options_.limits.max_identifiers) {
    return absl::InvalidArgumentError(absl::StrCat("verification_tokens must have 1 to ",
                                                   options_.limits.max_identifiers, " entries"));
  }
  RequestRecord record;
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  DSR_ASSIGN_OR_RETURN(std::optional<SubjectRecord> subject, options_.vault->OpenSubject(record));
  if (!subject.has_value()) {
    return absl::FailedPreconditionError("the request's personal data was destroyed (retention)");
  }
  // Checked and signed before the lock, spent under it (as at submit).
  DSR_ASSIGN_OR_RETURN(
      std::vector<std::optional<Proof>> proofs,
      options_.verifications->Peek(request.verification_tokens(), *subject, options_.clock->Now()));
  DSR_RETURN_IF_ERROR(CheckIdentityPolicy(record.type(), *subject, proofs));
  for (int i = 0; i < subject->identifiers_size(); ++i) {
    subject->mutable_identifiers(i)->set_verified(proofs[i].has_value());
  }
  DSR_ASSIGN_OR_RETURN(*subject->mutable_attestation(),
                       options_.attestor->Attest(request.name(), record.type(), *subject, proofs,
                                                 options_.clock->Now()));

  Journal::Mutation mutation(options_.journal);
  // Read again under the lock: what the checks see is what is written.
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  if (std::none_of(tasks.begin(), tasks.end(), [](const TaskRecord& t) {
        return t.state() == dsr::v1::Task::WAITING_FOR_IDENTITY;
      })) {
    return absl::FailedPreconditionError("no holder is waiting for you to prove your identity");
  }
  DSR_RETURN_IF_ERROR(
      options_.verifications->Spend(mutation, request.verification_tokens(), *subject).status());
  const absl::Time now = mutation.now();
  storage::WriteBatch& batch = mutation.batch();
  InboxAppender& inbox = mutation.inbox();
  for (TaskRecord& task : tasks) {
    if (task.state() != dsr::v1::Task::WAITING_FOR_IDENTITY) continue;
    const TaskRecord before = task;
    // The clock stopped while the task waited: the due time moves by as long.
    const absl::Duration waited = now - FromProtoTime(task.waiting_since());
    *task.mutable_due_time() = ToProtoTime(FromProtoTime(task.due_time()) + waited);
    task.set_suspended_seconds(task.suspended_seconds() + absl::ToInt64Seconds(waited));
    task.set_state(task.state_before_waiting() == dsr::v1::Task::ACKNOWLEDGED
                       ? dsr::v1::Task::ACKNOWLEDGED
                       : dsr::v1::Task::OPEN);
    task.clear_state_before_waiting();
    task.clear_waiting_since();
    task.clear_identity_request();
    *task.mutable_update_time() = ToProtoTime(now);
    PutChangedTask(batch, before, task);
    DSR_RETURN_IF_ERROR(inbox.Append(task.actor_id(), dsr::v1::InboxEvent::IDENTITY_CONFIRMED,
                                     TaskName(request_id, task.task_number())));
  }
  // Identifiers proved now index the request too (ListRequests).
  for (int i = 0; i < subject->identifiers_size(); ++i) {
    if (!proofs[i].has_value()) continue;
    const auto& id = subject->identifiers(i);
    std::string key =
        storage::keys::SubjectRequest(options_.pseudonyms->Of(id.type(), id.value()), request_id);
    if (std::find(record.subject_index_keys().begin(), record.subject_index_keys().end(), key) ==
        record.subject_index_keys().end()) {
      batch.PutEmpty(storage::ColumnFamily::kSubjectRequests, key);
      record.add_subject_index_keys(std::move(key));
    }
  }
  DSR_RETURN_IF_ERROR(options_.vault->Reseal(*subject, &record));
  batch.Put(storage::ColumnFamily::kRequests, storage::keys::Request(request_id), record);
  mutation.Audit("ConfirmIdentity", request.name());
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  return FillResponse(record, tasks, 0, options_.limits.max_page_size, response->mutable_request(),
                      response->mutable_tasks(), response->mutable_next_page_token(), &*subject);
}

}  // namespace dsr::broker
