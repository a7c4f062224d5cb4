#ifndef DSR_BROKER_LATE_LINKS_H_
#define DSR_BROKER_LATE_LINKS_H_

// Late links (SPEC §3): when a link child <- parent is accepted (at once
// within one organisation, else by the parent's owner), the standing
// requests that reached `parent` are forwarded to `child` and its
// descendants that lack a task for them. Erasure, rectification, restriction
// and objection follow unless the request was cancelled or its personal
// data purged, completed ones included (the copy may predate the answer);
// access and portability only while the request is open.
//
// A request that was final (every task answered) and gets a task this way
// is reopened: its retention clock stops, but it joins the retention queue
// again at the reopening time, so that R (the retention period) after it the
// sweep purges it even if the late tasks are never answered (retention.h).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/graph.h"
#include "broker/inbox_log.h"
#include "broker/journal.h"
#include "broker/limits.h"
#include "storage/store.h"

namespace dsr::broker {

// Adds to `batch` (and `inbox`) the tasks of every request to forward over
// the new link, and to `audit` one entry per request forwarded. The graph
// need not hold the new link yet. REQUIRES: the journal's mutation lock.
absl::Status ForwardOverNewLink(const storage::Store& store, const ProvenanceGraph& graph,
                                const std::string& parent, const std::string& child, absl::Time now,
                                const Limits& limits, storage::WriteBatch& batch,
                                InboxAppender& inbox, std::vector<AuditEntry>* audit);

}  // namespace dsr::broker

#endif  // DSR_BROKER_LATE_LINKS_H_
