// Requests: the merged access report.

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/requests/access_reports.h"
#include "broker/requests/request_records.h"
#include "broker/requests/request_types.h"
#include "broker/requests/requests.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

namespace {
// Each text of the merged report (purposes, retention, automated
// decision-making, joined per holder).
constexpr size_t kMaxMergedTextBytes = 128 << 10;
// The reports one merge reads (without copies), so that its time is bounded
// in bytes as well as in reports.
constexpr size_t kMaxMergedInputBytes = 32 << 20;

constexpr absl::string_view kPurgedReports =
    "the request's personal data, its access reports included, was purged under the retention "
    "policy; the request's purge_time says when";
}  // namespace

absl::Status Requests::GetAccessReport(const Principal& principal,
                                       const dsr::v1::GetAccessReportRequest& request,
                                       dsr::v1::GetAccessReportResponse* response) const {
  DSR_ASSIGN_OR_RETURN(std::string request_id, Authorize(principal, request.name()));
  if (request.page_size() < 0 || request.page_size() > options_.limits.max_page_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", options_.limits.max_page_size));
  }
  const int page_size =
      request.page_size() == 0 ? options_.limits.max_page_size : request.page_size();
  const std::string query = QueryFingerprint("GetAccessReport", request_id);
  DSR_ASSIGN_OR_RETURN(std::string last, DecodePageToken(request.page_token(), query));
  uint64_t after = 0;
  if (!last.empty() && !absl::SimpleAtoi(last, &after)) {
    return absl::InvalidArgumentError("page_token is malformed");
  }
  RequestRecord record;
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  if (const RequestTypeTraits* traits = TraitsOf(record.type());
      traits == nullptr || !traits->reports) {
    return absl::FailedPreconditionError(
        "access reports exist for ACCESS and PORTABILITY requests");
  }
  if (record.has_purge_time()) return absl::FailedPreconditionError(kPurgedReports);

  // One holder's report: as given (with its copy, or not), completed with
  // what the broker knows from the register and the direct lineage.
  const auto report_of = [&](const TaskRecord& task,
                             bool with_copy) -> absl::StatusOr<dsr::v1::AccessReport> {
    DSR_ASSIGN_OR_RETURN(std::optional<dsr::storage::v1::AccessReportRecord> given,
                         options_.vault->ReadReport(record, task.task_number(), with_copy));
    dsr::v1::AccessReport report =
        given.has_value() ? AccessReportFromRecord(*given) : dsr::v1::AccessReport();
    DSR_ASSIGN_OR_RETURN(HoldingName name, ParseHoldingName(task.holding(), "task.holding"));
    dsr::storage::v1::HoldingRecord holding;
    DSR_RETURN_IF_ERROR(options_.store->Get(
        ColumnFamily::kHoldings, storage::keys::Holding(name.actor_id, name.holding_id), &holding));
    // Enough names to fill each list past the holder's own entries.
    const int max_entries = options_.limits.max_report_entries;
    const Neighbours near = options_.graph->NeighboursOf(
        task.holding(), static_cast<size_t>(max_entries) +
                            std::max(report.sources_size(), report.recipients_size()));
    CompleteAccessReport(holding, task.outcome() == dsr::v1::ACCESS_PROVIDED, near, max_entries,
                         &report);
    return report;
  };

  size_t bytes = 0;
  if (after == 0) {
    // The first page carries the merge of the holders' reports, without
    // copies, in bounded size: of the first --max_merged_reports tasks (the
    // targets, then the nearest holders first), so that its cost does not
    // grow with the request's size.
    AccessReportMerger merger(options_.limits.max_report_entries, kMaxMergedTextBytes);
    const size_t most = std::min(
        tasks.size(), static_cast<size_t>(std::max(0, options_.limits.max_merged_reports)));
    size_t merged = 0, read = 0;
    for (; merged < most && read < kMaxMergedInputBytes; ++merged) {
      DSR_ASSIGN_OR_RETURN(dsr::v1::AccessReport report,
                           report_of(tasks[merged], /*with_copy=*/false));
      read += report.ByteSizeLong();
      merger.Add(tasks[merged].holding(), report);
    }
    *response->mutable_merged() = merger.merged();
    response->set_merged_truncated(merger.truncated() || merged < tasks.size());
    bytes = response->ByteSizeLong();
  }
  // Tasks are numbered 1..n in order: the page starts at index `after`.
  size_t i = std::min<size_t>(after, tasks.size());
  for (int taken = 0; i < tasks.size(); ++i, ++taken) {
    if (taken == page_size || (taken > 0 && bytes >= options_.limits.max_reply_bytes)) break;
    const TaskRecord& task = tasks[i];
    dsr::v1::HolderReport* out = response->add_holder_reports();
    out->set_task(TaskName(request_id, task.task_number()));
    out->set_holding(task.holding());
    out->set_actor(ActorName(task.actor_id()));
    out->set_state(static_cast<dsr::v1::Task::State>(task.state()));
    out->set_outcome(static_cast<dsr::v1::Outcome>(task.outcome()));
    DSR_ASSIGN_OR_RETURN(*out->mutable_report(), report_of(task, /*with_copy=*/true));
    bytes += ReplyBytes(*out);
  }
  if (i < tasks.size()) {
    response->set_next_page_token(EncodePageToken(absl::StrCat(tasks[i - 1].task_number()), query));
  }
  // Purged while the reports were read: some may be missing; say so instead.
  if (options_.vault->PurgedSince(request_id)) {
    response->Clear();
    return absl::FailedPreconditionError(kPurgedReports);
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
