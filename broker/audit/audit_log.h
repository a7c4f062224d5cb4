#ifndef DSR_BROKER_AUDIT_AUDIT_LOG_H_
#define DSR_BROKER_AUDIT_AUDIT_LOG_H_

// Reading and verifying the audit log (AuditService). Writing is the
// Journal's. gRPC-free; thread-safe.

#include "absl/status/status.h"
#include "broker/base/limits.h"
#include "broker/base/principal.h"
#include "broker/journal/journal.h"
#include "dsr/v1/audit_service.pb.h"
#include "storage/store.h"

namespace dsr::broker {

class AuditLog {
 public:
  // `store` and `journal` must outlive the log. The journal's head tells
  // how many events there must be, so that removing the newest ones shows.
  AuditLog(const storage::Store* store, const Journal* journal, const Limits& limits)
      : store_(store), journal_(journal), limits_(limits) {}

  // Admin only. Events in sequence order, paged.
  absl::Status ListAuditEvents(const Principal& principal,
                               const dsr::v1::ListAuditEventsRequest& request,
                               dsr::v1::ListAuditEventsResponse* response) const;

  // Admin only. Recomputes the whole chain. A broken chain is not an error
  // of the call: the response says where it breaks.
  absl::Status VerifyAuditLog(const Principal& principal,
                              const dsr::v1::VerifyAuditLogRequest& request,
                              dsr::v1::VerifyAuditLogResponse* response) const;

 private:
  const storage::Store* const store_;
  const Journal* const journal_;
  const Limits limits_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_AUDIT_AUDIT_LOG_H_
