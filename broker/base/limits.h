#ifndef DSR_BROKER_BASE_LIMITS_H_
#define DSR_BROKER_BASE_LIMITS_H_

#include <cstddef>

namespace dsr::broker {

// Size limits on what callers send (SPEC §5). Defaults are the
// specification's; a deployment may lower or raise them.
struct Limits {
  // Default: 100. Used when a list call leaves page_size at 0.
  int default_page_size = 100;
  // Default: 1000. A larger page_size is INVALID_ARGUMENT.
  int max_page_size = 1000;
  // Default: 4 KiB. Free-text fields (descriptions, purposes, retention).
  size_t max_free_text_bytes = 4096;
  // Default: 256. One-line fields (titles, names, licences, categories).
  size_t max_short_text_bytes = 256;
  // Default: 512. Each external id.
  size_t max_external_id_bytes = 512;
  // Default: 32. Entries in a repeated field (external ids, categories).
  int max_repeated = 32;
  // Default: 64. Links a lineage walk may follow.
  int max_lineage_depth = 64;
  // Default: 50,000. Holdings one lineage walk may reach, root included;
  // past it GetLineage leaves the rest out and says so (`truncated`).
  int max_lineage_holdings = 50000;
  // Default: 32. Subject identifiers per request.
  int max_identifiers = 32;
  // Default: 512. Bytes per subject identifier.
  size_t max_identifier_bytes = 512;
  // Default: 64. Targets per request.
  int max_targets = 64;
  // Default: 1 MiB. One access report, copy included.
  size_t max_access_report_bytes = 1 << 20;
  // Default: 1,000. Categories, recipients or sources in one access report
  // (each list), and in the merged report of a request (each list).
  int max_report_entries = 1000;
  // Default: 1,000. Holders' reports merged into a request's merged access
  // report (its first tasks); past it the merge says it left some out.
  int max_merged_reports = 1000;
  // Default: 10,000 each. Holdings an actor may register, and links it may
  // declare (as the child's owner); the admin is not counted against them.
  int max_holdings_per_actor = 10000;
  int max_links_per_actor = 10000;
  // Default: 1,000. Links an organisation may propose to other
  // organisations' holdings a day (each puts an event in the parent owner's
  // inbox, which withdrawing the proposal does not take back); the admin is
  // not counted.
  int max_link_proposals_per_day = 1000;
  // Default: 100,000. Holdings one request may reach (one task each, retired
  // ones passed through included); a submit that would reach more is
  // RESOURCE_EXHAUSTED, and a late link forwards no further.
  int max_tasks_per_request = 100000;
  // Default: 1,000. Links between a request's target and the farthest
  // holding it reaches; the same refusal.
  int max_routing_depth = 1000;
  // Default: 10,000. Tasks one commit may make over a late link; the rest
  // is forwarded by the broker in further commits of this size.
  int max_late_tasks_per_commit = 10000;
  // Default: 2 MiB. A page of a list or a request's tasks stops once its
  // reply is this large (it holds one item at least), so that replies stay
  // below the message limit whatever the items' sizes. The server sets it
  // to half its largest message.
  size_t max_reply_bytes = 2 << 20;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_LIMITS_H_
