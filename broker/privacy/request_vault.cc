#include "broker/privacy/request_vault.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/time_util.h"
#include "broker/privacy/aead.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::AccessReportRecord;
using dsr::storage::v1::DataKeyRecord;
using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::SealedReportRecord;
using dsr::storage::v1::SubjectRecord;
using storage::ColumnFamily;

namespace {

// Associated data: what each ciphertext belongs to.
std::string KeyContext(absl::string_view request_id) {
  return absl::StrCat("dsr/data-key/requests/", request_id);
}
std::string SubjectContext(absl::string_view request_id) {
  return absl::StrCat("dsr/subject/requests/", request_id);
}
std::string ReportContext(absl::string_view request_id, uint64_t task_number) {
  return absl::StrCat("dsr/report/requests/", request_id, "/tasks/", task_number);
}

std::string CopyContext(absl::string_view request_id, uint64_t task_number) {
  return absl::StrCat("dsr/report-copy/requests/", request_id, "/tasks/", task_number);
}

bool Purged(const RequestRecord& request) { return request.has_purge_time(); }

}  // namespace

RequestVault::RequestVault(const storage::Store* store, std::string master_key)
    : store_(store), master_key_(std::move(master_key)) {}

absl::Status RequestVault::SealNew(storage::WriteBatch& batch, const SubjectRecord& subject,
                                   RequestRecord* request) const {
  const std::string key = RandomBytes(kAeadKeyBytes);
  DataKeyRecord wrapped;
  DSR_ASSIGN_OR_RETURN(*wrapped.mutable_wrapped_key(),
                       Seal(master_key_, key, KeyContext(request->request_id())));
  DSR_ASSIGN_OR_RETURN(
      *request->mutable_sealed_subject(),
      Seal(key, subject.SerializeAsString(), SubjectContext(request->request_id())));
  batch.Put(ColumnFamily::kDataKeys, storage::keys::DataKey(request->request_id()), wrapped);
  return absl::OkStatus();
}

absl::Status RequestVault::Reseal(const SubjectRecord& subject, RequestRecord* request) const {
  DSR_ASSIGN_OR_RETURN(std::string key, DataKey(request->request_id()));
  DSR_ASSIGN_OR_RETURN(
      *request->mutable_sealed_subject(),
      Seal(key, subject.SerializeAsString(), SubjectContext(request->request_id())));
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequestVault::DataKey(absl::string_view request_id) const {
  DataKeyRecord wrapped;
  absl::Status read =
      store_->Get(ColumnFamily::kDataKeys, storage::keys::DataKey(request_id), &wrapped);
  if (absl::IsNotFound(read)) return absl::DataLossError("a request's data key is missing");
  DSR_RETURN_IF_ERROR(read);
  absl::StatusOr<std::string> key =
      Open(master_key_, wrapped.wrapped_key(), KeyContext(request_id));
  if (!key.ok()) {
    return absl::DataLossError(
        "a request's data key does not open with the master key (wrong --master_key_file?)");
  }
  return key;
}

bool RequestVault::PurgedSince(absl::string_view request_id) const {
  RequestRecord now;
  return store_->Get(ColumnFamily::kRequests, storage::keys::Request(request_id), &now).ok() &&
         Purged(now);
}

absl::StatusOr<std::optional<SubjectRecord>> RequestVault::OpenSubject(
    const RequestRecord& request) const {
  if (Purged(request)) return std::nullopt;
  absl::StatusOr<std::string> key = DataKey(request.request_id());
  // The request may have been purged since the caller read it.
  if (!key.ok() && PurgedSince(request.request_id())) return std::nullopt;
  if (!key.ok()) return key.status();
  DSR_ASSIGN_OR_RETURN(std::string plain,
                       Open(*key, request.sealed_subject(), SubjectContext(request.request_id())));
  SubjectRecord subject;
  if (!subject.ParseFromString(plain)) {
    return absl::DataLossError("a request's personal data does not parse");
  }
  return subject;
}

absl::Status RequestVault::PutReport(storage::WriteBatch& batch, const RequestRecord& request,
                                     uint64_t task_number, const AccessReportRecord& report) const {
  if (Purged(request)) {
    return absl::FailedPreconditionError("the request's personal data was purged");
  }
  DSR_ASSIGN_OR_RETURN(std::string key, DataKey(request.request_id()));
  AccessReportRecord summary = report;
  if (!report.copy_data().empty()) {
    // The copy apart: merging every holder's report reads no copy.
    SealedReportRecord copy;
    DSR_ASSIGN_OR_RETURN(
        *copy.mutable_sealed(),
        Seal(key, report.copy_data(), CopyContext(request.request_id(), task_number)));
    batch.Put(ColumnFamily::kReports, storage::keys::ReportCopy(request.request_id(), task_number),
              copy);
    summary.clear_copy_data();
    summary.set_copy_apart(true);
  }
  SealedReportRecord sealed;
  DSR_ASSIGN_OR_RETURN(
      *sealed.mutable_sealed(),
      Seal(key, summary.SerializeAsString(), ReportContext(request.request_id(), task_number)));
  batch.Put(ColumnFamily::kReports, storage::keys::Report(request.request_id(), task_number),
            sealed);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<AccessReportRecord>> RequestVault::ReadReport(
    const RequestRecord& request, uint64_t task_number, bool with_copy) const {
  if (Purged(request)) return std::nullopt;
  SealedReportRecord sealed;
  absl::Status read = store_->Get(
      ColumnFamily::kReports, storage::keys::Report(request.request_id(), task_number), &sealed);
  if (absl::IsNotFound(read)) return std::nullopt;
  DSR_RETURN_IF_ERROR(read);
  absl::StatusOr<std::string> data_key = DataKey(request.request_id());
  if (!data_key.ok() && PurgedSince(request.request_id())) return std::nullopt;
  if (!data_key.ok()) return data_key.status();
  const std::string& key = *data_key;
  DSR_ASSIGN_OR_RETURN(std::string plain, Open(key, sealed.sealed(),
                                               ReportContext(request.request_id(), task_number)));
  AccessReportRecord report;
  if (!report.ParseFromString(plain)) {
    return absl::DataLossError("a stored access report does not parse");
  }
  if (with_copy && report.copy_apart()) {
    SealedReportRecord copy;
    read = store_->Get(ColumnFamily::kReports,
                       storage::keys::ReportCopy(request.request_id(), task_number), &copy);
    if (absl::IsNotFound(read) && PurgedSince(request.request_id())) return std::nullopt;
    if (absl::IsNotFound(read)) return absl::DataLossError("an access report's copy is missing");
    DSR_RETURN_IF_ERROR(read);
    DSR_ASSIGN_OR_RETURN(*report.mutable_copy_data(),
                         Open(key, copy.sealed(), CopyContext(request.request_id(), task_number)));
  }
  report.clear_copy_apart();
  return report;
}

absl::Status RequestVault::Purge(storage::WriteBatch& batch, absl::Time now,
                                 RequestRecord* request) const {
  const std::string& id = request->request_id();
  std::vector<std::string> reports;
  DSR_RETURN_IF_ERROR(store_->Scan(ColumnFamily::kReports, storage::keys::TasksOf(id), "",
                                   [&](absl::string_view key, absl::string_view) {
                                     reports.emplace_back(key);
                                     return true;
                                   }));
  for (const std::string& key : reports) batch.Delete(ColumnFamily::kReports, key);
  batch.Delete(ColumnFamily::kDataKeys, storage::keys::DataKey(id));
  if (!request->submit_idempotency_key().empty()) {
    batch.Delete(ColumnFamily::kIdempotency, request->submit_idempotency_key());
    request->clear_submit_idempotency_key();
  }
  for (const std::string& key : request->subject_index_keys()) {
    batch.Delete(ColumnFamily::kSubjectRequests, key);
  }
  request->clear_subject_index_keys();
  request->clear_sealed_subject();
  *request->mutable_purge_time() = ToProtoTime(now);
  return absl::OkStatus();
}

}  // namespace dsr::broker
