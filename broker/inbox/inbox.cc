// Inbox: events, cursor and reading tasks.

#include "broker/inbox/inbox.h"

#include "absl/strings/str_cat.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/base/time_util.h"
#include "broker/registry/registry_records.h"
#include "broker/requests/route_paths.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

absl::StatusOr<std::unique_ptr<Inbox>> Inbox::Create(const InboxOptions& options) {
  if (options.store == nullptr || options.clock == nullptr || options.journal == nullptr ||
      options.log == nullptr || options.vault == nullptr || options.pseudonyms == nullptr) {
    return absl::InvalidArgumentError(
        "the inbox needs a store, clock, journal, log, vault and pseudonyms");
  }
  return std::unique_ptr<Inbox>(new Inbox(options));
}

absl::StatusOr<dsr::v1::Task> Inbox::HolderView(const TaskRecord& task,
                                                const RequestRecord& request,
                                                absl::Time now) const {
  RoutePaths paths(options_.store, task.request_id());
  DSR_ASSIGN_OR_RETURN(std::vector<std::string> path, paths.Of(task));
  dsr::v1::Task out;
  // A withdrawn task needs no one found: its holder no longer sees who.
  if (task.state() == dsr::v1::Task::CANCELLED) {
    out = TaskFromRecord(task, request, nullptr, now, TaskView::kHolder);
  } else {
    DSR_ASSIGN_OR_RETURN(std::optional<dsr::storage::v1::SubjectRecord> subject,
                         options_.vault->OpenSubject(request));
    out = TaskFromRecord(task, request, subject ? &*subject : nullptr, now, TaskView::kHolder);
  }
  for (std::string& step : path) *out.add_path() = std::move(step);
  return out;
}

absl::StatusOr<std::string> Inbox::RequireActor(const Principal& principal) {
  switch (principal.kind()) {
    case Principal::Kind::kActor:
      return principal.actor_id();
    case Principal::Kind::kAnonymous:
      return absl::UnauthenticatedError("this method needs an actor's token");
    case Principal::Kind::kAdmin:
    case Principal::Kind::kReceipt:
    case Principal::Kind::kBroker:
      break;
  }
  return absl::PermissionDeniedError("this method is for the actor a task is addressed to");
}

absl::Status Inbox::ReadOwnTask(const std::string& actor_id, const TaskRef& ref, TaskRecord* task,
                                RequestRecord* request) const {
  absl::Status read = options_.store->Get(
      ColumnFamily::kTasks, storage::keys::Task(ref.request_id, ref.task_number), task);
  // Another actor's task looks exactly like a missing one.
  if (absl::IsNotFound(read) || (read.ok() && task->actor_id() != actor_id)) {
    return absl::NotFoundError("task not found");
  }
  DSR_RETURN_IF_ERROR(read);
  read =
      options_.store->Get(ColumnFamily::kRequests, storage::keys::Request(ref.request_id), request);
  if (absl::IsNotFound(read)) return absl::DataLossError("a task's request is missing");
  return read;
}

absl::StatusOr<std::vector<dsr::v1::InboxEvent>> Inbox::ReadEvents(const std::string& actor_id,
                                                                   uint64_t after,
                                                                   int limit) const {
  std::vector<dsr::storage::v1::InboxEventRecord> records;
  DSR_ASSIGN_OR_RETURN(const uint64_t deliverable, options_.log->Deliverable(actor_id));
  if (after >= deliverable) return std::vector<dsr::v1::InboxEvent>();
  DSR_RETURN_IF_ERROR(storage::ScanRecords<dsr::storage::v1::InboxEventRecord>(
      *options_.store, ColumnFamily::kInbox, storage::keys::InboxOf(actor_id),
      after == 0 ? "" : storage::keys::InboxEvent(actor_id, after), "inbox event",
      [&](absl::string_view, dsr::storage::v1::InboxEventRecord& record) {
        if (record.sequence() > deliverable) return false;  // not durable yet
        records.push_back(std::move(record));
        return static_cast<int>(records.size()) < limit;
      }));
  const absl::Time now = options_.clock->Now();
  std::vector<dsr::v1::InboxEvent> events;
  events.reserve(records.size());
  for (const auto& record : records) {
    dsr::v1::InboxEvent& event = events.emplace_back();
    event.set_sequence(record.sequence());
    event.set_kind(static_cast<dsr::v1::InboxEvent::Kind>(record.kind()));
    *event.mutable_event_time() = record.event_time();
    if (!record.link().empty()) {
      DSR_ASSIGN_OR_RETURN(std::string link_id, ParseLinkName(record.link(), "inbox event"));
      dsr::storage::v1::LinkRecord link;
      absl::Status read =
          options_.store->Get(ColumnFamily::kLinks, storage::keys::Link(link_id), &link);
      if (read.ok()) {
        *event.mutable_link() = LinkFromRecord(link);
      } else if (absl::IsNotFound(read)) {
        event.mutable_link()->set_name(record.link());  // deleted since
      } else {
        return read;
      }
      continue;
    }
    DSR_ASSIGN_OR_RETURN(TaskRef ref, ParseTaskName(record.task(), "inbox event"));
    TaskRecord task;
    RequestRecord request;
    DSR_RETURN_IF_ERROR(ReadOwnTask(actor_id, ref, &task, &request));
    DSR_ASSIGN_OR_RETURN(*event.mutable_task(), HolderView(task, request, now));
  }
  return events;
}

absl::Status Inbox::CommitInbox(const Principal& principal,
                                const dsr::v1::CommitInboxRequest& request,
                                dsr::v1::CommitInboxResponse* response) {
  DSR_ASSIGN_OR_RETURN(std::string actor_id, RequireActor(principal));
  Journal::Mutation mutation(options_.journal);
  DSR_ASSIGN_OR_RETURN(dsr::storage::v1::InboxStateRecord state, options_.log->State(actor_id));
  if (request.sequence() > state.last_sequence()) {
    return absl::InvalidArgumentError(
        absl::StrCat("sequence is beyond the inbox's last event, ", state.last_sequence()));
  }
  if (request.sequence() > state.committed()) {
    DSR_RETURN_IF_ERROR(mutation.inbox().SetCommitted(actor_id, request.sequence()));
    mutation.Audit("CommitInbox", absl::StrCat("actors/", actor_id, "/inbox"));
    DSR_RETURN_IF_ERROR(mutation.Commit(principal));
    state.set_committed(request.sequence());
  }
  response->set_committed(state.committed());
  response->set_last_sequence(state.last_sequence());
  return absl::OkStatus();
}

absl::Status Inbox::ListTasks(const Principal& principal, const dsr::v1::ListTasksRequest& request,
                              dsr::v1::ListTasksResponse* response) const {
  DSR_ASSIGN_OR_RETURN(std::string actor_id, RequireActor(principal));
  if (!dsr::v1::Task::State_IsValid(request.state())) {
    return absl::InvalidArgumentError("state has an unknown value");
  }
  PageQuery query;
  query.family = ColumnFamily::kActorTasks;
  query.prefix = storage::keys::ActorTasksOf(actor_id);
  query.fingerprint =
      QueryFingerprint("ListTasks", absl::StrCat(actor_id.size(), ":", actor_id, request.state(),
                                                 ",", request.overdue() ? 1 : 0));
  query.page_token = request.page_token();
  DSR_ASSIGN_OR_RETURN(query.page_size, ResolvePageSize(request.page_size(), options_.limits));
  query.max_reply_bytes = options_.limits.max_reply_bytes;
  const absl::Time now = options_.clock->Now();
  DSR_ASSIGN_OR_RETURN(
      std::string next,
      ScanPage(*options_.store, query,
               [&](absl::string_view key, absl::string_view) -> absl::StatusOr<size_t> {
                 DSR_ASSIGN_OR_RETURN(storage::keys::ActorTaskKey entry,
                                      storage::keys::ParseActorTask(key));
                 TaskRecord task;
                 RequestRecord owner;
                 DSR_RETURN_IF_ERROR(ReadOwnTask(
                     actor_id, TaskRef{entry.request_id, entry.task_number}, &task, &owner));
                 if (request.state() != dsr::v1::Task::STATE_UNSPECIFIED &&
                     task.state() != request.state()) {
                   return size_t{0};
                 }
                 if (request.overdue() && !IsOverdue(task, now)) {
                   return size_t{0};
                 }
                 dsr::v1::Task* shown = response->add_tasks();
                 DSR_ASSIGN_OR_RETURN(*shown, HolderView(task, owner, now));
                 return ReplyBytes(*shown);
               }));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status Inbox::GetTask(const Principal& principal, const dsr::v1::GetTaskRequest& request,
                            dsr::v1::Task* task) const {
  DSR_ASSIGN_OR_RETURN(std::string actor_id, RequireActor(principal));
  DSR_ASSIGN_OR_RETURN(TaskRef ref, ParseTaskName(request.name(), "name"));
  TaskRecord record;
  RequestRecord owner;
  DSR_RETURN_IF_ERROR(ReadOwnTask(actor_id, ref, &record, &owner));
  DSR_ASSIGN_OR_RETURN(*task, HolderView(record, owner, options_.clock->Now()));
  return absl::OkStatus();
}

}  // namespace dsr::broker
