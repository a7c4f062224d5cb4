#include "broker/requests/milestones.h"

#include <atomic>

#include "broker/base/time_util.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::OutboxRecord;

bool QueueMilestone(storage::WriteBatch& batch, dsr::storage::v1::RequestRecord* request,
                    OutboxRecord::Kind kind, uint64_t task_number, absl::Time now) {
  // A holder's request for proof needs the person to act: it is sent
  // whether or not they asked for updates, but counts against the cap.
  const bool always = kind == OutboxRecord::IDENTITY_REQUESTED;
  if ((!always && !request->email_updates()) ||
      request->milestone_messages() >= kMaxMilestoneMessages) {
    return false;
  }
  OutboxRecord message;
  message.set_request_id(request->request_id());
  message.set_task_number(task_number);
  message.set_kind(kind);
  *message.mutable_not_before() = ToProtoTime(now);
  // Messages queued at the same time keep their order.
  static std::atomic<uint64_t> order{0};
  batch.Put(storage::ColumnFamily::kOutbox,
            storage::keys::Outbox(absl::ToUnixMicros(now), order.fetch_add(1),
                                  request->request_id(), task_number, kind),
            message);
  request->set_milestone_messages(request->milestone_messages() + 1);
  return true;
}

}  // namespace dsr::broker
