#ifndef DSR_BROKER_REQUESTS_MILESTONES_H_
#define DSR_BROKER_REQUESTS_MILESTONES_H_

// Messages to the person at the milestones of their request
// (docs/IDENTITY.md, "Email to the person"): queued in the `outbox` in the
// same write as the change they tell of, sent by the Notifier
// (broker/lifecycle/notifier.h) once that write is durable.

#include <cstdint>

#include "absl/time/time.h"
#include "dsr/storage/v1/identity_records.pb.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "storage/write_batch.h"

namespace dsr::broker {

// Messages queued per request at most, identity requests from holders
// included: a request to thousands of holders must not flood the person's
// mailbox.
inline constexpr int kMaxMilestoneMessages = 50;

// Queues a message of `kind` about `request` (task `task_number`, 0 for the
// whole request) when the person asked for updates (`email_updates`), or
// always for IDENTITY_REQUESTED. Returns whether `request` changed (its
// counters), so that the caller writes it.
bool QueueMilestone(storage::WriteBatch& batch, dsr::storage::v1::RequestRecord* request,
                    dsr::storage::v1::OutboxRecord::Kind kind, uint64_t task_number,
                    absl::Time now);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_MILESTONES_H_
