#include "storage/column_family.h"

namespace dsr::storage {

absl::string_view ColumnFamilyName(ColumnFamily cf) {
  switch (cf) {
    case ColumnFamily::kActors:
      return "actors";
    case ColumnFamily::kTokens:
      return "tokens";
    case ColumnFamily::kHoldings:
      return "holdings";
    case ColumnFamily::kLinks:
      return "links";
    case ColumnFamily::kExternalIds:
      return "external_ids";
    case ColumnFamily::kIdempotency:
      return "idempotency";
    case ColumnFamily::kAudit:
      return "audit";
    case ColumnFamily::kRequests:
      return "requests";
    case ColumnFamily::kReceipts:
      return "receipts";
    case ColumnFamily::kTasks:
      return "tasks";
    case ColumnFamily::kActorTasks:
      return "actor_tasks";
    case ColumnFamily::kHoldingRequests:
      return "holding_requests";
    case ColumnFamily::kInbox:
      return "inbox";
    case ColumnFamily::kInboxState:
      return "inbox_state";
    case ColumnFamily::kDueTasks:
      return "due_tasks";
    case ColumnFamily::kReports:
      return "reports";
    case ColumnFamily::kDataKeys:
      return "data_keys";
    case ColumnFamily::kFinalRequests:
      return "final_requests";
    case ColumnFamily::kActorLinks:
      return "actor_links";
    case ColumnFamily::kRouteNodes:
      return "route_nodes";
    case ColumnFamily::kForwarding:
      return "forwarding";
    case ColumnFamily::kPendingScrubs:
      return "pending_scrubs";
    case ColumnFamily::kVerifications:
      return "verifications";
    case ColumnFamily::kVerifiedTokens:
      return "verified_tokens";
    case ColumnFamily::kSubjectRequests:
      return "subject_requests";
    case ColumnFamily::kOutbox:
      return "outbox";
  }
  return "unknown";
}

}  // namespace dsr::storage
