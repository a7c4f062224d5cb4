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
  }
  return "unknown";
}

}  // namespace dsr::storage
