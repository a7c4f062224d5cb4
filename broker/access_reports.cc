#include "broker/access_reports.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace dsr::broker {
namespace {

using google::protobuf::RepeatedPtrField;

void AddMissing(const std::vector<std::string>& values, RepeatedPtrField<std::string>* list) {
  for (const std::string& v : values) {
    if (std::find(list->begin(), list->end(), v) == list->end()) *list->Add() = v;
  }
}

void AddMissing(const RepeatedPtrField<std::string>& values, RepeatedPtrField<std::string>* list) {
  AddMissing(std::vector<std::string>(values.begin(), values.end()), list);
}

void AppendSection(const std::string& holding_name, const std::string& text, std::string* out) {
  if (text.empty()) return;
  if (!out->empty()) out->append("\n");
  absl::StrAppend(out, holding_name, ": ", text);
}

}  // namespace

absl::Status ValidateAccessReport(const dsr::v1::AccessReport& report, bool require_copy,
                                  const Limits& limits) {
  if (report.ByteSizeLong() > limits.max_access_report_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("access_report must be at most ", limits.max_access_report_bytes, " bytes"));
  }
  if (report.has_inline_copy() && report.inline_copy().media_type().empty()) {
    return absl::InvalidArgumentError("access_report.inline_copy.media_type is required");
  }
  if (report.copy_url().size() > limits.max_external_id_bytes) {
    return absl::InvalidArgumentError("access_report.copy_url is too long");
  }
  if (require_copy && report.copy_case() == dsr::v1::AccessReport::COPY_NOT_SET) {
    return absl::InvalidArgumentError(
        "access_report needs a copy (inline_copy or copy_url) for a PORTABILITY request");
  }
  return absl::OkStatus();
}

dsr::storage::v1::AccessReportRecord AccessReportToRecord(const dsr::v1::AccessReport& report) {
  dsr::storage::v1::AccessReportRecord record;
  record.set_purposes(report.purposes());
  *record.mutable_data_categories() = report.data_categories();
  *record.mutable_recipients() = report.recipients();
  record.set_retention(report.retention());
  *record.mutable_sources() = report.sources();
  record.set_automated_decision_making(report.automated_decision_making());
  if (report.has_inline_copy()) {
    record.set_copy_data(report.inline_copy().data());
    record.set_copy_media_type(report.inline_copy().media_type());
  }
  record.set_copy_url(report.copy_url());
  return record;
}

dsr::v1::AccessReport AccessReportFromRecord(const dsr::storage::v1::AccessReportRecord& record) {
  dsr::v1::AccessReport report;
  report.set_purposes(record.purposes());
  *report.mutable_data_categories() = record.data_categories();
  *report.mutable_recipients() = record.recipients();
  report.set_retention(record.retention());
  *report.mutable_sources() = record.sources();
  report.set_automated_decision_making(record.automated_decision_making());
  if (!record.copy_media_type().empty()) {
    report.mutable_inline_copy()->set_data(record.copy_data());
    report.mutable_inline_copy()->set_media_type(record.copy_media_type());
  } else if (!record.copy_url().empty()) {
    report.set_copy_url(record.copy_url());
  }
  return report;
}

void CompleteAccessReport(const dsr::storage::v1::HoldingRecord& holding, bool provided,
                          const std::vector<std::string>& parents,
                          const std::vector<std::string>& children, dsr::v1::AccessReport* report) {
  if (provided) {
    if (report->purposes().empty()) report->set_purposes(holding.purposes());
    if (report->data_categories().empty()) {
      *report->mutable_data_categories() = holding.data_categories();
    }
    if (report->retention().empty()) report->set_retention(holding.retention());
  }
  AddMissing(parents, report->mutable_sources());
  AddMissing(children, report->mutable_recipients());
}

void MergeAccessReport(const std::string& holding_name, const dsr::v1::AccessReport& report,
                       dsr::v1::AccessReport* merged) {
  AppendSection(holding_name, report.purposes(), merged->mutable_purposes());
  AppendSection(holding_name, report.retention(), merged->mutable_retention());
  AppendSection(holding_name, report.automated_decision_making(),
                merged->mutable_automated_decision_making());
  AddMissing(report.data_categories(), merged->mutable_data_categories());
  AddMissing(report.recipients(), merged->mutable_recipients());
  AddMissing(report.sources(), merged->mutable_sources());
}

}  // namespace dsr::broker
