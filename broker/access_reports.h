#ifndef DSR_BROKER_ACCESS_REPORTS_H_
#define DSR_BROKER_ACCESS_REPORTS_H_

// Access reports (SPEC §4, Art. 15): checking what a holder sends,
// converting to and from storage, completing a report from the register and
// the lineage, and merging holders' reports. Pure functions.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/limits.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/request.pb.h"

namespace dsr::broker {

// INVALID_ARGUMENT naming the field (under `access_report.`) if the report
// is larger than the limit, has an inline copy without a media type, or
// lacks a copy when `require_copy`.
absl::Status ValidateAccessReport(const dsr::v1::AccessReport& report, bool require_copy,
                                  const Limits& limits);

dsr::storage::v1::AccessReportRecord AccessReportToRecord(const dsr::v1::AccessReport& report);
dsr::v1::AccessReport AccessReportFromRecord(const dsr::storage::v1::AccessReportRecord& record);

// Adds sources (`parents`) and recipients (`children`) from the lineage to
// what the holder listed; where the holder provided access, also fills the
// purposes, categories and retention it left empty from the holding's
// register entry. A holder that found no data, refused or has not answered
// is not said to hold any: its report gets the lineage only.
void CompleteAccessReport(const dsr::storage::v1::HoldingRecord& holding, bool provided,
                          const std::vector<std::string>& parents,
                          const std::vector<std::string>& children, dsr::v1::AccessReport* report);

// Adds `report` (of holding `holding_name`) to `merged`: list fields without
// repeats, text fields joined with the holding's name.
void MergeAccessReport(const std::string& holding_name, const dsr::v1::AccessReport& report,
                       dsr::v1::AccessReport* merged);

}  // namespace dsr::broker

#endif  // DSR_BROKER_ACCESS_REPORTS_H_
