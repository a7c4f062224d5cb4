#ifndef DSR_BROKER_LATE_LINKS_H_
#define DSR_BROKER_LATE_LINKS_H_

// Late links (SPEC §3): when a link child <- parent is declared, the standing
// requests that reached `parent` are forwarded to `child` and its
// descendants that lack a task for them. Erasure, rectification, restriction
// and objection follow unless the request was cancelled; access and
// portability only while the request is open.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/graph.h"
#include "broker/inbox_log.h"
#include "broker/journal.h"
#include "storage/store.h"

namespace dsr::broker {

// Adds to `batch` (and `inbox`) the tasks of every request to forward over
// the new link, and to `audit` one entry per request forwarded. The graph
// need not hold the new link yet. REQUIRES: the journal's mutation lock.
absl::Status ForwardOverNewLink(const storage::Store& store, const ProvenanceGraph& graph,
                                const std::string& parent, const std::string& child, absl::Time now,
                                storage::WriteBatch& batch, InboxAppender& inbox,
                                std::vector<AuditEntry>* audit);

}  // namespace dsr::broker

#endif  // DSR_BROKER_LATE_LINKS_H_
