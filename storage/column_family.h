#ifndef DSR_STORAGE_COLUMN_FAMILY_H_
#define DSR_STORAGE_COLUMN_FAMILY_H_

#include <array>

#include "absl/strings/string_view.h"

namespace dsr::storage {

// One RocksDB column family per kind of record. The numeric values index the
// store's handle table; the names are what RocksDB persists, so a name must
// never change once released.
enum class ColumnFamily : int {
  kActors = 0,            // actor id -> ActorRecord
  kTokens = 1,            // token digest -> TokenRecord
  kHoldings = 2,          // (actor id, holding id) -> HoldingRecord
  kLinks = 3,             // link id -> LinkRecord
  kExternalIds = 4,       // (external id, actor id, holding id) -> empty
  kIdempotency = 5,       // (principal, request id) -> IdempotencyRecord
  kAudit = 6,             // sequence -> AuditEventRecord
  kRequests = 7,          // request id -> RequestRecord
  kReceipts = 8,          // receipt digest -> ReceiptRecord
  kTasks = 9,             // (request id, task number) -> TaskRecord
  kActorTasks = 10,       // (actor id, request id, task number) -> empty
  kHoldingRequests = 11,  // (holding name, request id) -> HoldingTaskRecord
  kInbox = 12,            // (actor id, sequence) -> InboxEventRecord
  kInboxState = 13,       // actor id -> InboxStateRecord
  kDueTasks = 14,         // (due time, request id, task number) -> empty
  kReports = 15,          // (request id, task number) -> SealedReportRecord
  kDataKeys = 16,         // request id -> DataKeyRecord
  kFinalRequests = 17,    // (final time, request id) -> empty: retention queue
  kActorLinks = 18,       // (actor id, link id) -> empty: links touching an actor's holdings
  kRouteNodes = 19,       // (request id, holding name) -> RouteNodeRecord: retired steps of paths
  kForwarding = 20,       // link id -> ForwardingRecord: late-link forwarding still to do
  kPendingScrubs = 21,    // request id -> empty: purged, its files not yet rewritten
  kVerifications = 22,    // verification id -> VerificationRecord
  kVerifiedTokens = 23,   // keyed token digest -> VerifiedTokenRecord
  kSubjectRequests = 24,  // (identifier pseudonym, request id) -> empty: verified on it
  kOutbox = 25,           // (queued time, request id, task, kind) -> OutboxRecord
};

inline constexpr std::array<ColumnFamily, 26> kAllColumnFamilies = {
    ColumnFamily::kActors,          ColumnFamily::kTokens,        ColumnFamily::kHoldings,
    ColumnFamily::kLinks,           ColumnFamily::kExternalIds,   ColumnFamily::kIdempotency,
    ColumnFamily::kAudit,           ColumnFamily::kRequests,      ColumnFamily::kReceipts,
    ColumnFamily::kTasks,           ColumnFamily::kActorTasks,    ColumnFamily::kHoldingRequests,
    ColumnFamily::kInbox,           ColumnFamily::kInboxState,    ColumnFamily::kDueTasks,
    ColumnFamily::kReports,         ColumnFamily::kDataKeys,      ColumnFamily::kFinalRequests,
    ColumnFamily::kActorLinks,      ColumnFamily::kRouteNodes,    ColumnFamily::kForwarding,
    ColumnFamily::kPendingScrubs,   ColumnFamily::kVerifications, ColumnFamily::kVerifiedTokens,
    ColumnFamily::kSubjectRequests, ColumnFamily::kOutbox,
};

// The name RocksDB stores for `cf`.
absl::string_view ColumnFamilyName(ColumnFamily cf);

}  // namespace dsr::storage

#endif  // DSR_STORAGE_COLUMN_FAMILY_H_
