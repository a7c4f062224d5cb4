#include "broker/server/limit_flags.h"

namespace dsr::broker {

void AddLimitFlags(CLI::App& app, Limits& limits) {
  const auto add = [&app](const char* name, auto& value, const char* help, double max) {
    app.add_option(name, value, help)->capture_default_str()->check(CLI::Range(1.0, max));
  };
  add("--max_identifiers", limits.max_identifiers, "Subject identifiers per request", 1e4);
  add("--max_identifier_bytes", limits.max_identifier_bytes, "Bytes per subject identifier", 1e5);
  add("--max_targets", limits.max_targets, "Targets per request", 1e4);
  add("--max_free_text_bytes", limits.max_free_text_bytes,
      "Bytes of free text (details, explanations, descriptions)", 1e6);
  add("--max_access_report_bytes", limits.max_access_report_bytes,
      "Bytes of one holder's access report, copy included", 1e9);
  add("--max_merged_reports", limits.max_merged_reports,
      "Holders' reports merged into a request's merged access report (the first tasks)", 1e8);
  add("--max_page_size", limits.max_page_size, "Largest page_size of a list call", 1e5);
  add("--max_lineage_depth", limits.max_lineage_depth, "Links a lineage walk may follow", 1e4);
  add("--max_lineage_holdings", limits.max_lineage_holdings,
      "Holdings a lineage walk may reach (GetLineage leaves the rest out and says so)", 1e8);
  add("--max_tasks_per_request", limits.max_tasks_per_request,
      "Holdings one request may reach (a submit reaching more is refused)", 1e8);
  add("--max_routing_depth", limits.max_routing_depth,
      "Links between a request's target and the farthest holding it reaches", 1e6);
  add("--max_late_tasks_per_commit", limits.max_late_tasks_per_commit,
      "Tasks one commit makes when a link is accepted (the broker forwards the rest)", 1e8);
  add("--max_holdings_per_actor", limits.max_holdings_per_actor,
      "Holdings one organisation may register (the admin is not counted)", 1e8);
  add("--max_links_per_actor", limits.max_links_per_actor,
      "Links one organisation may declare (the admin is not counted)", 1e8);
  add("--max_link_proposals_per_day", limits.max_link_proposals_per_day,
      "Links one organisation may propose to other organisations' holdings a day", 1e8);
}

}  // namespace dsr::broker
