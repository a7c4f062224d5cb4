#ifndef DSR_BROKER_INBOX_INBOX_H_
#define DSR_BROKER_INBOX_INBOX_H_

// The actors' side of rights requests (InboxService, SPEC §4-§5): their
// inbox events and cursor, their tasks, and the task transitions.
// gRPC-free domain logic; thread-safe. Only the actor a task is addressed to
// sees it: another actor's task is NOT_FOUND, as a missing one.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/base/clock.h"
#include "broker/base/limits.h"
#include "broker/base/principal.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/request_vault.h"
#include "broker/requests/request_records.h"
#include "dsr/v1/inbox_service.pb.h"
#include "storage/store.h"

namespace dsr::broker {

struct InboxOptions {
  // REQUIRED, each. All must outlive the Inbox.
  storage::Store* store = nullptr;
  const Clock* clock = nullptr;
  Journal* journal = nullptr;
  InboxLog* log = nullptr;
  // Opens the requests' personal data for the holders.
  const RequestVault* vault = nullptr;
  // Keys the idempotency fingerprints (answers may carry personal data).
  const Pseudonyms* pseudonyms = nullptr;
  Limits limits;
};

class Inbox {
 public:
  static absl::StatusOr<std::unique_ptr<Inbox>> Create(const InboxOptions& options);

  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // The actor `principal` is, or UNAUTHENTICATED (anonymous) or
  // PERMISSION_DENIED (admin, receipt holder).
  static absl::StatusOr<std::string> RequireActor(const Principal& principal);

  // Up to `limit` events of `actor_id`'s inbox with sequence > `after`, in
  // order, each with its task as it is now. Only durable events: one applied
  // but not yet synced comes once InboxLog's listener announces it.
  absl::StatusOr<std::vector<dsr::v1::InboxEvent>> ReadEvents(const std::string& actor_id,
                                                              uint64_t after, int limit) const;

  absl::Status CommitInbox(const Principal& principal, const dsr::v1::CommitInboxRequest& request,
                           dsr::v1::CommitInboxResponse* response);
  absl::Status ListTasks(const Principal& principal, const dsr::v1::ListTasksRequest& request,
                         dsr::v1::ListTasksResponse* response) const;
  absl::Status GetTask(const Principal& principal, const dsr::v1::GetTaskRequest& request,
                       dsr::v1::Task* task) const;
  absl::Status Acknowledge(const Principal& principal,
                           const dsr::v1::AcknowledgeTaskRequest& request, dsr::v1::Task* task);
  absl::Status Complete(const Principal& principal, const dsr::v1::CompleteTaskRequest& request,
                        dsr::v1::Task* task);
  absl::Status Refuse(const Principal& principal, const dsr::v1::RefuseTaskRequest& request,
                      dsr::v1::Task* task);
  absl::Status Extend(const Principal& principal, const dsr::v1::ExtendTaskRequest& request,
                      dsr::v1::Task* task);
  // The holder doubts the person's identity (docs/IDENTITY.md): the task
  // waits, its clock stopped, until the person proves it again.
  absl::Status RequestIdentity(const Principal& principal,
                               const dsr::v1::RequestIdentityRequest& request, dsr::v1::Task* task);

  const InboxLog& log() const { return *options_.log; }

 private:
  explicit Inbox(const InboxOptions& options) : options_(options) {}

  // The task `ref` and its request, if the task is `actor_id`'s; NOT_FOUND
  // otherwise.
  // The holder's view of a task: with the request's personal data opened,
  // unless the task was cancelled or the data purged.
  absl::StatusOr<dsr::v1::Task> HolderView(const dsr::storage::v1::TaskRecord& task,
                                           const dsr::storage::v1::RequestRecord& request,
                                           absl::Time now) const;
  absl::Status ReadOwnTask(const std::string& actor_id, const TaskRef& ref,
                           dsr::storage::v1::TaskRecord* task,
                           dsr::storage::v1::RequestRecord* request) const;

  // A task transition: checks the caller, replays a retried request_id, else
  // applies `change` (which refuses illegal transitions) and commits the task
  // with its audit event.
  // `change` may add its own records to `batch`.
  using Change = std::function<absl::Status(dsr::storage::v1::TaskRecord& task,
                                            const dsr::storage::v1::RequestRecord& request,
                                            absl::Time now, storage::WriteBatch& batch)>;
  absl::Status Transition(const Principal& principal, absl::string_view method,
                          const std::string& name, const google::protobuf::Message& request,
                          const Change& change, dsr::v1::Task* task);

  const InboxOptions options_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_INBOX_INBOX_H_
