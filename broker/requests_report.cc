// Requests: the merged access report.

#include "absl/strings/str_cat.h"
#include "broker/access_reports.h"
#include "broker/names.h"
#include "broker/request_records.h"
#include "broker/requests.h"
#include "broker/status_macros.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

namespace {
constexpr absl::string_view kPurgedReports =
    "the request's personal data, its access reports included, was purged under the retention "
    "policy; the request's purge_time says when";
}  // namespace

absl::Status Requests::GetAccessReport(const Principal& principal,
                                       const dsr::v1::GetAccessReportRequest& request,
                                       dsr::v1::GetAccessReportResponse* response) const {
  DSR_ASSIGN_OR_RETURN(std::string request_id, Authorize(principal, request.name()));
  RequestRecord record;
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  if (record.type() != dsr::v1::ACCESS && record.type() != dsr::v1::PORTABILITY) {
    return absl::FailedPreconditionError(
        "access reports exist for ACCESS and PORTABILITY requests");
  }
  if (record.has_purge_time()) return absl::FailedPreconditionError(kPurgedReports);
  for (const TaskRecord& task : tasks) {
    dsr::v1::HolderReport* out = response->add_holder_reports();
    out->set_task(TaskName(request_id, task.task_number()));
    out->set_holding(task.holding());
    out->set_actor(ActorName(task.actor_id()));
    out->set_state(static_cast<dsr::v1::Task::State>(task.state()));
    out->set_outcome(static_cast<dsr::v1::Outcome>(task.outcome()));

    DSR_ASSIGN_OR_RETURN(std::optional<dsr::storage::v1::AccessReportRecord> given,
                         options_.vault->ReadReport(record, task.task_number()));
    dsr::v1::AccessReport report =
        given.has_value() ? AccessReportFromRecord(*given) : dsr::v1::AccessReport();

    // What the broker knows: the register entry and the direct lineage.
    DSR_ASSIGN_OR_RETURN(HoldingName name, ParseHoldingName(task.holding(), "task.holding"));
    dsr::storage::v1::HoldingRecord holding;
    DSR_RETURN_IF_ERROR(options_.store->Get(
        ColumnFamily::kHoldings, storage::keys::Holding(name.actor_id, name.holding_id), &holding));
    std::vector<std::string> parents, children;
    if (std::optional<Lineage> near = options_.graph->Walk(task.holding(), WalkDirection::kBoth, 1);
        near.has_value()) {
      for (const Lineage::Node& node : near->nodes) {
        if (node.direction == WalkDirection::kUpstream) parents.push_back(node.holding.name);
        if (node.direction == WalkDirection::kDownstream) children.push_back(node.holding.name);
      }
    }
    CompleteAccessReport(holding, task.outcome() == dsr::v1::ACCESS_PROVIDED, parents, children,
                         &report);
    MergeAccessReport(task.holding(), report, response->mutable_merged());
    *out->mutable_report() = std::move(report);
  }
  // Purged while the reports were read: some may be missing; say so instead.
  if (options_.vault->PurgedSince(request_id)) {
    response->Clear();
    return absl::FailedPreconditionError(kPurgedReports);
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
