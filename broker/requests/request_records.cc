#include "broker/requests/request_records.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/base/time_util.h"
#include "storage/keys.h"

namespace dsr::broker {
namespace {

bool IsRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

std::string RequestName(absl::string_view request_id) {
  return absl::StrCat("requests/", request_id);
}

std::string TaskName(absl::string_view request_id, uint64_t task_number) {
  return absl::StrCat("requests/", request_id, "/tasks/", task_number);
}

absl::StatusOr<std::string> ParseRequestName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != "requests" || !IsRequestId(parts[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must have the form requests/{request}"));
  }
  return std::string(parts[1]);
}

absl::StatusOr<TaskRef> ParseTaskName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  TaskRef ref;
  if (parts.size() != 4 || parts[0] != "requests" || !IsRequestId(parts[1]) ||
      parts[2] != "tasks" || !absl::SimpleAtoi(parts[3], &ref.task_number) ||
      ref.task_number == 0 || parts[3][0] == '0' || parts[3][0] == '+') {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must have the form requests/{request}/tasks/{task}"));
  }
  ref.request_id = std::string(parts[1]);
  return ref;
}

bool IsOverdue(const dsr::storage::v1::TaskRecord& task, absl::Time now) {
  return !IsTerminal(task.state()) && task.state() != dsr::v1::Task::WAITING_FOR_IDENTITY &&
         now > FromProtoTime(task.due_time());
}

bool IsTerminal(int task_state) {
  return task_state == dsr::v1::Task::COMPLETED || task_state == dsr::v1::Task::REFUSED ||
         task_state == dsr::v1::Task::CANCELLED;
}

dsr::v1::Task TaskFromRecord(const dsr::storage::v1::TaskRecord& task,
                             const dsr::storage::v1::RequestRecord& request,
                             const dsr::storage::v1::SubjectRecord* subject, absl::Time now,
                             TaskView view) {
  dsr::v1::Task out;
  out.set_name(TaskName(task.request_id(), task.task_number()));
  out.set_holding(task.holding());
  out.set_actor(absl::StrCat("actors/", task.actor_id()));
  out.set_via(task.via());
  out.set_reason(static_cast<dsr::v1::Task::Reason>(task.reason()));
  out.set_state(static_cast<dsr::v1::Task::State>(task.state()));
  *out.mutable_due_time() = task.due_time();
  out.set_extension_months(task.extension_months());
  out.set_extension_reason(task.extension_reason());
  out.set_overdue(IsOverdue(task, now));
  *out.mutable_create_time() = task.create_time();
  *out.mutable_update_time() = task.update_time();
  out.set_request_type(static_cast<dsr::v1::RequestType>(request.type()));
  if (view == TaskView::kHolder && subject != nullptr) {
    for (const auto& id : subject->identifiers()) {
      dsr::v1::SubjectIdentifier* identifier = out.add_subject_identifiers();
      identifier->set_type(static_cast<dsr::v1::SubjectIdentifier::Type>(id.type()));
      identifier->set_value(id.value());
      identifier->set_verified(id.verified());
    }
    out.set_details(subject->details());
    if (subject->has_attestation()) {
      dsr::v1::Attestation* attestation = out.mutable_attestation();
      attestation->set_statement(subject->attestation().statement());
      attestation->set_signature(subject->attestation().signature());
      attestation->set_key_id(subject->attestation().key_id());
    }
  }
  out.set_outcome(static_cast<dsr::v1::Outcome>(task.outcome()));
  out.set_refusal_ground(static_cast<dsr::v1::RefusalGround>(task.refusal_ground()));
  out.set_explanation(task.explanation());
  out.set_identity_request(task.identity_request());
  return out;
}

dsr::v1::Request RequestFromRecord(const dsr::storage::v1::RequestRecord& request,
                                   const dsr::storage::v1::SubjectRecord* subject,
                                   const std::vector<dsr::storage::v1::TaskRecord>& tasks,
                                   absl::Time now) {
  dsr::v1::Request out;
  out.set_name(RequestName(request.request_id()));
  out.set_type(static_cast<dsr::v1::RequestType>(request.type()));
  if (subject != nullptr) {
    for (const auto& id : subject->identifiers()) {
      dsr::v1::SubjectIdentifier* identifier = out.add_subject_identifiers();
      identifier->set_type(static_cast<dsr::v1::SubjectIdentifier::Type>(id.type()));
      identifier->set_value(id.value());
      identifier->set_verified(id.verified());
    }
    out.set_details(subject->details());
  }
  *out.mutable_targets() = request.targets();
  out.set_lineage_scope(static_cast<dsr::v1::Request::LineageScope>(request.lineage_scope()));
  *out.mutable_create_time() = request.create_time();
  if (request.has_purge_time()) *out.mutable_purge_time() = request.purge_time();
  dsr::v1::TaskCounts* counts = out.mutable_task_counts();
  bool all_terminal = true;
  for (const auto& task : tasks) {
    switch (task.state()) {
      case dsr::v1::Task::OPEN:
        counts->set_open(counts->open() + 1);
        break;
      case dsr::v1::Task::ACKNOWLEDGED:
        counts->set_acknowledged(counts->acknowledged() + 1);
        break;
      case dsr::v1::Task::COMPLETED:
        counts->set_completed(counts->completed() + 1);
        break;
      case dsr::v1::Task::REFUSED:
        counts->set_refused(counts->refused() + 1);
        break;
      case dsr::v1::Task::CANCELLED:
        counts->set_cancelled(counts->cancelled() + 1);
        break;
      case dsr::v1::Task::WAITING_FOR_IDENTITY:
        counts->set_waiting_for_identity(counts->waiting_for_identity() + 1);
        break;
      default:
        break;
    }
    if (!IsTerminal(task.state())) all_terminal = false;
    if (IsOverdue(task, now)) counts->set_overdue(counts->overdue() + 1);
  }
  if (request.cancelled()) {
    out.set_state(dsr::v1::Request::CANCELLED);
  } else {
    out.set_state(all_terminal ? dsr::v1::Request::COMPLETED : dsr::v1::Request::OPEN);
  }
  return out;
}

bool CountTaskChange(int before, int after, absl::Time now, storage::WriteBatch& batch,
                     dsr::storage::v1::RequestRecord* request) {
  const bool was_open = before != 0 && !IsTerminal(before);
  const bool is_open = !IsTerminal(after);
  if (was_open == is_open) return false;
  if (is_open) {
    request->set_open_task_count(request->open_task_count() + 1);
    request->clear_final_time();  // a queued purge finds it open and skips it
    return true;
  }
  if (request->open_task_count() > 0) {
    request->set_open_task_count(request->open_task_count() - 1);
  }
  if (request->open_task_count() == 0) {
    request->clear_reopen_time();  // its queue entry is stale from now on
    *request->mutable_final_time() = ToProtoTime(now);
    batch.PutEmpty(storage::ColumnFamily::kFinalRequests,
                   storage::keys::FinalRequest(absl::ToUnixMicros(now), request->request_id()));
  }
  return true;
}

}  // namespace dsr::broker
