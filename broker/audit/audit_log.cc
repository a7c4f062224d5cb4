#include "broker/audit/audit_log.h"

#include "broker/access/authorization.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/journal/audit_chain.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/audit_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::AuditEventRecord;

absl::Status AuditLog::ListAuditEvents(const Principal& principal,
                                       const dsr::v1::ListAuditEventsRequest& request,
                                       dsr::v1::ListAuditEventsResponse* response) const {
  DSR_RETURN_IF_ERROR(RequireAdmin(principal));
  PageQuery query{storage::ColumnFamily::kAudit, "", QueryFingerprint("ListAuditEvents", ""),
                  request.page_token(), 0};
  DSR_ASSIGN_OR_RETURN(query.page_size, ResolvePageSize(request.page_size(), limits_));
  query.max_reply_bytes = limits_.max_reply_bytes;
  DSR_ASSIGN_OR_RETURN(
      std::string next,
      ScanPage(*store_, query,
               [&](absl::string_view, absl::string_view value) -> absl::StatusOr<size_t> {
                 AuditEventRecord record;
                 if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                   return absl::DataLossError("an audit event does not parse");
                 }
                 dsr::v1::AuditEvent* event = response->add_events();
                 event->set_sequence(record.sequence());
                 *event->mutable_event_time() = record.event_time();
                 event->set_principal(record.principal());
                 event->set_action(record.action());
                 event->set_resource(record.resource());
                 event->set_hash(record.hash());
                 return ReplyBytes(*event);
               }));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status AuditLog::VerifyAuditLog(const Principal& principal,
                                      const dsr::v1::VerifyAuditLogRequest&,
                                      dsr::v1::VerifyAuditLogResponse* response) const {
  DSR_RETURN_IF_ERROR(RequireAdmin(principal));
  uint64_t expected = 1;
  std::string hash = GenesisHash();
  uint64_t broken = 0;
  // Read before the scan: events committed while it runs may be missed by
  // it, and must not look like removed ones.
  const uint64_t head = journal_->head_sequence();
  DSR_RETURN_IF_ERROR(store_->Scan(
      storage::ColumnFamily::kAudit, "", "", [&](absl::string_view key, absl::string_view value) {
        AuditEventRecord event;
        absl::StatusOr<uint64_t> sequence = storage::keys::ParseAuditEvent(key);
        const bool readable =
            sequence.ok() && event.ParseFromArray(value.data(), static_cast<int>(value.size()));
        // A missing event shows as a jump in the keys; a moved or
        // altered one as a sequence or hash that does not match.
        if (!readable || *sequence != expected || event.sequence() != expected ||
            ChainHash(hash, event) != event.hash()) {
          broken = expected;
          return false;
        }
        hash = event.hash();
        ++expected;
        return true;
      }));
  // Events the journal committed past the last one stored were removed.
  if (broken == 0 && expected - 1 < head) broken = expected;
  response->set_event_count(expected - 1);
  response->set_intact(broken == 0);
  if (broken != 0) {
    response->set_first_broken_sequence(broken);
  } else {
    response->set_head_hash(hash);
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
