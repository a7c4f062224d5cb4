// Inbox: task transitions (SPEC §4).

#include "absl/strings/str_cat.h"
#include "broker/base/time_util.h"
#include "broker/inbox/inbox.h"
#include "broker/journal/idempotency.h"
#include "broker/requests/access_reports.h"
#include "broker/requests/deadlines.h"
#include "broker/requests/milestones.h"
#include "broker/requests/request_types.h"
#include "broker/requests/task_writes.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;

namespace {

// Times a holder may ask the person to prove their identity again, per task.
constexpr int kMaxIdentityRequests = 2;

absl::Status RequireNotTerminal(const TaskRecord& task) {
  if (IsTerminal(task.state())) {
    return absl::FailedPreconditionError(
        "the task is already closed (completed, refused or cancelled)");
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, absl::string_view text, bool required,
                       const Limits& limits) {
  if (required && text.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (text.size() > limits.max_free_text_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be at most ", limits.max_free_text_bytes, " bytes"));
  }
  return absl::OkStatus();
}

// The person's messages about a change of `task` (milestones.h); whether
// `owner` changed.
bool QueueMilestones(const TaskRecord& before, const TaskRecord& task, absl::Time now,
                     storage::WriteBatch& batch, RequestRecord* owner) {
  using dsr::storage::v1::OutboxRecord;
  bool changed = false;
  if (task.state() == dsr::v1::Task::REFUSED && before.state() != dsr::v1::Task::REFUSED) {
    changed |= QueueMilestone(batch, owner, OutboxRecord::REFUSED, task.task_number(), now);
  }
  if (task.extension_months() > before.extension_months()) {
    changed |= QueueMilestone(batch, owner, OutboxRecord::EXTENDED, task.task_number(), now);
  }
  if (task.state() == dsr::v1::Task::WAITING_FOR_IDENTITY &&
      before.state() != dsr::v1::Task::WAITING_FOR_IDENTITY) {
    changed |=
        QueueMilestone(batch, owner, OutboxRecord::IDENTITY_REQUESTED, task.task_number(), now);
  }
  if (IsTerminal(task.state()) && !IsTerminal(before.state()) && !owner->cancelled() &&
      owner->open_task_count() == 0) {
    changed |= QueueMilestone(batch, owner, OutboxRecord::ALL_ANSWERED, 0, now);
  }
  return changed;
}

}  // namespace

absl::Status Inbox::Transition(const Principal& principal, absl::string_view method,
                               const std::string& name, const google::protobuf::Message& request,
                               const Change& change, dsr::v1::Task* out) {
  DSR_ASSIGN_OR_RETURN(std::string actor_id, RequireActor(principal));
  DSR_ASSIGN_OR_RETURN(TaskRef ref, ParseTaskName(name, "name"));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, method, request, options_.pseudonyms));

  Journal::Mutation mutation(options_.journal, &call);
  TaskRecord task;
  RequestRecord owner;
  DSR_RETURN_IF_ERROR(ReadOwnTask(actor_id, ref, &task, &owner));
  const absl::Time now = mutation.now();
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (!earlier.has_value()) {
    const TaskRecord before = task;
    storage::WriteBatch& batch = mutation.batch();
    DSR_RETURN_IF_ERROR(change(task, owner, now, batch));
    *task.mutable_update_time() = ToProtoTime(now);
    PutChangedTask(batch, before, task);
    bool owner_changed = CountTaskChange(before.state(), task.state(), now, batch, &owner);
    owner_changed |= QueueMilestones(before, task, now, batch, &owner);
    if (owner_changed) {
      batch.Put(storage::ColumnFamily::kRequests, storage::keys::Request(ref.request_id), owner);
    }
    mutation.RecordCall(name);
    mutation.Audit(std::string(method), name);
    DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  }
  DSR_ASSIGN_OR_RETURN(*out, HolderView(task, owner, now));
  return absl::OkStatus();
}

absl::Status Inbox::Acknowledge(const Principal& principal,
                                const dsr::v1::AcknowledgeTaskRequest& request,
                                dsr::v1::Task* task) {
  return Transition(
      principal, "AcknowledgeTask", request.name(), request,
      [](TaskRecord& t, const RequestRecord&, absl::Time, storage::WriteBatch&) {
        if (t.state() != dsr::v1::Task::OPEN) {
          return absl::FailedPreconditionError("only an OPEN task can be acknowledged");
        }
        t.set_state(dsr::v1::Task::ACKNOWLEDGED);
        return absl::OkStatus();
      },
      task);
}

absl::Status Inbox::Complete(const Principal& principal,
                             const dsr::v1::CompleteTaskRequest& request, dsr::v1::Task* task) {
  // Who is calling comes before what the call says.
  DSR_RETURN_IF_ERROR(RequireActor(principal).status());
  if (request.outcome() == dsr::v1::OUTCOME_UNSPECIFIED ||
      !dsr::v1::Outcome_IsValid(request.outcome())) {
    return absl::InvalidArgumentError("outcome is required");
  }
  DSR_RETURN_IF_ERROR(CheckText("explanation", request.explanation(), false, options_.limits));
  return Transition(
      principal, "CompleteTask", request.name(), request,
      [this, &request](TaskRecord& t, const RequestRecord& owner, absl::Time,
                       storage::WriteBatch& batch) {
        DSR_RETURN_IF_ERROR(RequireNotTerminal(t));
        if (!OutcomeFits(owner.type(), request.outcome())) {
          return absl::InvalidArgumentError(absl::StrCat(
              "outcome ", dsr::v1::Outcome_Name(request.outcome()), " does not answer a ",
              dsr::v1::RequestType_Name(owner.type()), " request"));
        }
        const bool provides = request.outcome() == dsr::v1::ACCESS_PROVIDED;
        if (provides != request.has_access_report()) {
          return absl::InvalidArgumentError(provides
                                                ? "access_report is required with ACCESS_PROVIDED"
                                                : "access_report goes only with ACCESS_PROVIDED");
        }
        if (provides) {
          DSR_RETURN_IF_ERROR(ValidateAccessReport(
              request.access_report(), TraitsOf(owner.type())->portable, options_.limits));
          DSR_RETURN_IF_ERROR(options_.vault->PutReport(
              batch, owner, t.task_number(), AccessReportToRecord(request.access_report())));
        }
        t.set_state(dsr::v1::Task::COMPLETED);
        t.set_outcome(request.outcome());
        t.set_explanation(request.explanation());
        return absl::OkStatus();
      },
      task);
}

absl::Status Inbox::Refuse(const Principal& principal, const dsr::v1::RefuseTaskRequest& request,
                           dsr::v1::Task* task) {
  // Who is calling comes before what the call says.
  DSR_RETURN_IF_ERROR(RequireActor(principal).status());
  if (request.ground() == dsr::v1::REFUSAL_GROUND_UNSPECIFIED ||
      !dsr::v1::RefusalGround_IsValid(request.ground())) {
    return absl::InvalidArgumentError("ground is required");
  }
  DSR_RETURN_IF_ERROR(CheckText("explanation", request.explanation(), true, options_.limits));
  return Transition(
      principal, "RefuseTask", request.name(), request,
      [&request](TaskRecord& t, const RequestRecord&, absl::Time, storage::WriteBatch&) {
        DSR_RETURN_IF_ERROR(RequireNotTerminal(t));
        t.set_state(dsr::v1::Task::REFUSED);
        t.set_refusal_ground(request.ground());
        t.set_explanation(request.explanation());
        return absl::OkStatus();
      },
      task);
}

absl::Status Inbox::RequestIdentity(const Principal& principal,
                                    const dsr::v1::RequestIdentityRequest& request,
                                    dsr::v1::Task* task) {
  // Who is calling comes before what the call says.
  DSR_RETURN_IF_ERROR(RequireActor(principal).status());
  DSR_RETURN_IF_ERROR(CheckText("message", request.message(), true, options_.limits));
  return Transition(
      principal, "RequestIdentity", request.name(), request,
      [&request](TaskRecord& t, const RequestRecord&, absl::Time now, storage::WriteBatch&) {
        if (t.state() != dsr::v1::Task::OPEN && t.state() != dsr::v1::Task::ACKNOWLEDGED) {
          return absl::FailedPreconditionError(
              "only an OPEN or ACKNOWLEDGED task can wait for the person's identity");
        }
        // Doubt is raised in time, and not without end: a late holder cannot
        // stop its clock, and the person is asked at most twice per task.
        if (now >= FromProtoTime(t.due_time())) {
          return absl::FailedPreconditionError(
              "the task is due: ask for proof of identity before its due time");
        }
        if (t.identity_requests() >= kMaxIdentityRequests) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the person was asked to prove their identity ", kMaxIdentityRequests,
              " times for this task already: answer it, or refuse on IDENTITY_NOT_VERIFIED"));
        }
        t.set_identity_requests(t.identity_requests() + 1);
        t.set_state_before_waiting(t.state());
        t.set_state(dsr::v1::Task::WAITING_FOR_IDENTITY);
        t.set_identity_request(request.message());
        *t.mutable_waiting_since() = ToProtoTime(now);
        return absl::OkStatus();
      },
      task);
}

absl::Status Inbox::Extend(const Principal& principal, const dsr::v1::ExtendTaskRequest& request,
                           dsr::v1::Task* task) {
  // Who is calling comes before what the call says.
  DSR_RETURN_IF_ERROR(RequireActor(principal).status());
  if (request.months() < 1 || request.months() > kMaxExtensionMonths) {
    return absl::InvalidArgumentError(absl::StrCat("months must be 1 to ", kMaxExtensionMonths));
  }
  DSR_RETURN_IF_ERROR(CheckText("reason", request.reason(), true, options_.limits));
  return Transition(
      principal, "ExtendTask", request.name(), request,
      [&request](TaskRecord& t, const RequestRecord&, absl::Time now, storage::WriteBatch&) {
        DSR_RETURN_IF_ERROR(RequireNotTerminal(t));
        if (now >= FromProtoTime(t.due_time())) {
          return absl::FailedPreconditionError("a task can only be extended before it is due");
        }
        const int total = t.extension_months() + request.months();
        if (total > kMaxExtensionMonths) {
          return absl::FailedPreconditionError(
              absl::StrCat("extensions may total at most ", kMaxExtensionMonths, " months; ",
                           t.extension_months(), " already granted"));
        }
        t.set_extension_months(total);
        t.set_extension_reason(request.reason());
        // The time the task waited for identity stays added.
        *t.mutable_due_time() = ToProtoTime(DueTime(FromProtoTime(t.create_time()), total) +
                                            absl::Seconds(t.suspended_seconds()));
        return absl::OkStatus();
      },
      task);
}

}  // namespace dsr::broker
