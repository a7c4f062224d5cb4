#include "broker/requests/access_reports.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace dsr::broker {
namespace {

using google::protobuf::RepeatedPtrField;

// Adds to `list` the `values` it lacks, at most `max_entries` in all, then
// one entry saying how many more there were (`more` were not even named).
void AddMissing(const std::vector<std::string>& values, size_t more, int max_entries,
                RepeatedPtrField<std::string>* list) {
  absl::flat_hash_set<std::string> seen(list->begin(), list->end());
  size_t left_out = more;
  for (const std::string& v : values) {
    if (seen.contains(v)) continue;
    if (list->size() >= max_entries) {
      ++left_out;
      continue;
    }
    seen.insert(v);
    *list->Add() = v;
  }
  if (left_out > 0) *list->Add() = absl::StrCat("and ", left_out, " more holdings (GetLineage)");
}

constexpr size_t kMaxReportEntryBytes = 512;

absl::Status CheckList(const RepeatedPtrField<std::string>& list, absl::string_view field,
                       const Limits& limits) {
  if (list.size() > limits.max_report_entries) {
    return absl::InvalidArgumentError(absl::StrCat("access_report.", field, " must have at most ",
                                                   limits.max_report_entries, " entries"));
  }
  for (int i = 0; i < list.size(); ++i) {
    if (list[i].size() > kMaxReportEntryBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "access_report.", field, "[", i, "] must be at most ", kMaxReportEntryBytes, " bytes"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAccessReport(const dsr::v1::AccessReport& report, bool require_copy,
                                  const Limits& limits) {
  if (report.ByteSizeLong() > limits.max_access_report_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("access_report must be at most ", limits.max_access_report_bytes, " bytes"));
  }
  for (const auto& [text, field] :
       {std::pair{&report.purposes(), "purposes"}, std::pair{&report.retention(), "retention"},
        std::pair{&report.automated_decision_making(), "automated_decision_making"}}) {
    if (text->size() > limits.max_free_text_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("access_report.", field, " must be at most ",
                                                     limits.max_free_text_bytes, " bytes"));
    }
  }
  DSR_RETURN_IF_ERROR(CheckList(report.data_categories(), "data_categories", limits));
  DSR_RETURN_IF_ERROR(CheckList(report.recipients(), "recipients", limits));
  DSR_RETURN_IF_ERROR(CheckList(report.sources(), "sources", limits));
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
                          const Neighbours& lineage, int max_entries,
                          dsr::v1::AccessReport* report) {
  if (provided) {
    if (report->purposes().empty()) report->set_purposes(holding.purposes());
    if (report->data_categories().empty()) {
      *report->mutable_data_categories() = holding.data_categories();
    }
    if (report->retention().empty()) report->set_retention(holding.retention());
  }
  // The holder's own entries count against the bound too.
  AddMissing(lineage.parents, lineage.more_parents, std::max(max_entries, report->sources_size()),
             report->mutable_sources());
  AddMissing(lineage.children, lineage.more_children,
             std::max(max_entries, report->recipients_size()), report->mutable_recipients());
}

void AccessReportMerger::Add(const std::string& holding_name, const dsr::v1::AccessReport& report) {
  AddText(holding_name, report.purposes(), merged_.mutable_purposes());
  AddText(holding_name, report.retention(), merged_.mutable_retention());
  AddText(holding_name, report.automated_decision_making(),
          merged_.mutable_automated_decision_making());
  AddList(report.data_categories(), categories_, merged_.mutable_data_categories());
  AddList(report.recipients(), recipients_, merged_.mutable_recipients());
  AddList(report.sources(), sources_, merged_.mutable_sources());
}

void AccessReportMerger::AddList(const RepeatedPtrField<std::string>& values,
                                 absl::flat_hash_set<std::string>& seen,
                                 RepeatedPtrField<std::string>* list) {
  for (const std::string& v : values) {
    if (seen.contains(v)) continue;
    if (list->size() >= max_entries_) {
      truncated_ = true;
      return;
    }
    seen.insert(v);
    *list->Add() = v;
  }
}

void AccessReportMerger::AddText(const std::string& holding_name, const std::string& text,
                                 std::string* out) {
  if (text.empty()) return;
  const size_t adds = (out->empty() ? 0 : 1) + holding_name.size() + 2 + text.size();
  if (out->size() + adds > max_text_bytes_) {
    truncated_ = true;
    return;
  }
  if (!out->empty()) out->append("\n");
  absl::StrAppend(out, holding_name, ": ", text);
}

}  // namespace dsr::broker
