#include "broker/journal/journal.h"

#include "absl/status/status.h"
#include "broker/base/time_util.h"
#include "broker/journal/audit_chain.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/audit_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::AuditEventRecord;

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(storage::Store* store, const Clock* clock) {
  AuditEventRecord last;
  absl::Status read = store->GetLast(storage::ColumnFamily::kAudit, &last);
  if (absl::IsNotFound(read))
    return std::unique_ptr<Journal>(new Journal(store, clock, 0, GenesisHash()));
  DSR_RETURN_IF_ERROR(read);
  uint64_t head = last.sequence();
  std::string head_hash = last.hash();
  return std::unique_ptr<Journal>(new Journal(store, clock, head, std::move(head_hash)));
}

absl::Status Journal::Commit(storage::WriteBatch& batch, const Principal& principal,
                             const std::vector<AuditEntry>& entries) {
  mu_.AssertHeld();
  const google::protobuf::Timestamp now = ToProtoTime(clock_->Now());
  uint64_t sequence = head_;
  std::string hash = head_hash_;
  for (const AuditEntry& entry : entries) {
    AuditEventRecord event;
    event.set_sequence(++sequence);
    *event.mutable_event_time() = now;
    event.set_principal(principal.Label());
    event.set_action(entry.action);
    event.set_resource(entry.resource);
    hash = ChainHash(hash, event);
    event.set_hash(hash);
    batch.Put(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(sequence), event);
  }
  DSR_RETURN_IF_ERROR(store_->Apply(batch));
  head_ = sequence;
  head_hash_ = std::move(hash);
  return absl::OkStatus();
}

absl::Status Journal::Commit(storage::WriteBatch& batch, const Principal& principal,
                             std::string action, std::string resource) {
  return Commit(batch, principal, {AuditEntry{std::move(action), std::move(resource)}});
}

uint64_t Journal::head_sequence() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

}  // namespace dsr::broker
