#ifndef DSR_BROKER_REQUESTS_ACCESS_REPORTS_H_
#define DSR_BROKER_REQUESTS_ACCESS_REPORTS_H_

// Access reports (SPEC §4, Art. 15): checking what a holder sends,
// converting to and from storage, completing a report from the register and
// the lineage, and merging holders' reports. Pure functions.

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "broker/base/limits.h"
#include "broker/registry/graph.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/request.pb.h"

namespace dsr::broker {

// INVALID_ARGUMENT naming the field (under `access_report.`) if the report
// is larger than the limit, lists more than Limits::max_report_entries
// categories, recipients or sources (or one longer than 512 bytes), has an
// inline copy without a media type, or lacks a copy when `require_copy`.
absl::Status ValidateAccessReport(const dsr::v1::AccessReport& report, bool require_copy,
                                  const Limits& limits);

dsr::storage::v1::AccessReportRecord AccessReportToRecord(const dsr::v1::AccessReport& report);
dsr::v1::AccessReport AccessReportFromRecord(const dsr::storage::v1::AccessReportRecord& record);

// Adds sources (the holding's parents) and recipients (its children) from
// the lineage to what the holder listed, at most `max_entries` in each list
// (then one more entry says how many were left out); where the holder
// provided access, also fills the purposes, categories and retention it
// left empty from the holding's register entry. A holder that found no
// data, refused or has not answered is not said to hold any: its report
// gets the lineage only.
void CompleteAccessReport(const dsr::storage::v1::HoldingRecord& holding, bool provided,
                          const Neighbours& lineage, int max_entries,
                          dsr::v1::AccessReport* report);

// Merges holders' reports into one, in time linear in their size: list
// fields without repeats, text fields joined with each holding's name.
// Bounded: at most `max_entries` per list and `max_text_bytes` per text;
// what does not fit is left out and truncated() says so. Not thread-safe.
class AccessReportMerger {
 public:
  AccessReportMerger(int max_entries, size_t max_text_bytes)
      : max_entries_(max_entries), max_text_bytes_(max_text_bytes) {}

  // Adds `report`, of holding `holding_name`.
  void Add(const std::string& holding_name, const dsr::v1::AccessReport& report);

  const dsr::v1::AccessReport& merged() const { return merged_; }
  bool truncated() const { return truncated_; }

 private:
  void AddList(const google::protobuf::RepeatedPtrField<std::string>& values,
               absl::flat_hash_set<std::string>& seen,
               google::protobuf::RepeatedPtrField<std::string>* list);
  void AddText(const std::string& holding_name, const std::string& text, std::string* out);

  const int max_entries_;
  const size_t max_text_bytes_;
  dsr::v1::AccessReport merged_;
  absl::flat_hash_set<std::string> categories_, recipients_, sources_;
  bool truncated_ = false;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_ACCESS_REPORTS_H_
