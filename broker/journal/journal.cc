#include "broker/journal/journal.h"

#include "absl/status/status.h"
#include "broker/base/time_util.h"
#include "broker/journal/audit_chain.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/audit_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::AuditEventRecord;

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(storage::Store* store, const Clock* clock,
                                                       InboxLog* inbox) {
  if (store == nullptr || clock == nullptr || inbox == nullptr) {
    return absl::InvalidArgumentError("the journal needs a store, a clock and an inbox log");
  }
  AuditEventRecord last;
  absl::Status read = store->GetLast(storage::ColumnFamily::kAudit, &last);
  if (absl::IsNotFound(read)) {
    return std::unique_ptr<Journal>(new Journal(store, clock, inbox, 0, GenesisHash()));
  }
  DSR_RETURN_IF_ERROR(read);
  uint64_t head = last.sequence();
  std::string head_hash = last.hash();
  return std::unique_ptr<Journal>(new Journal(store, clock, inbox, head, std::move(head_hash)));
}

Journal::Mutation::Mutation(Journal* journal, const IdempotentCall* call)
    : journal_(journal),
      lock_(&journal->mu_),
      call_(call),
      now_(journal->clock_->Now()),
      batch_(journal->store_->NewWriteBatch()) {
  inbox_.emplace(journal->inbox_, &batch_, now_);
}

Journal::Mutation::~Mutation() = default;

absl::StatusOr<std::optional<std::string>> Journal::Mutation::Earlier() const {
  if (call_ == nullptr) return std::nullopt;
  return call_->FindEarlier(*journal_->store_);
}

void Journal::Mutation::Audit(std::string action, std::string resource) {
  audit_.push_back(AuditEntry{std::move(action), std::move(resource)});
}

void Journal::Mutation::Reset() {
  batch_ = journal_->store_->NewWriteBatch();
  inbox_.emplace(journal_->inbox_, &batch_, now_);
  audit_.clear();
}

void Journal::Mutation::RecordCall(absl::string_view resource) {
  if (call_ != nullptr) call_->Record(batch_, resource, now_);
}

absl::Status Journal::Mutation::Commit(const Principal& principal) {
  journal_->AssertMutationHeld();
  DSR_RETURN_IF_ERROR(journal_->Commit(batch_, principal, audit_));
  inbox_->Published();
  return absl::OkStatus();
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

uint64_t Journal::head_sequence() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

}  // namespace dsr::broker
