#include "broker/backups/backup_admin.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "broker/access/authorization.h"
#include "broker/base/log.h"
#include "broker/base/page_token.h"
#include "broker/base/time_util.h"
#include "broker/journal/idempotency.h"
#include "common/status_macros.h"

namespace dsr::broker {
namespace {

constexpr absl::string_view kCollection = "backups/";

std::string BackupName(uint32_t id) { return absl::StrCat(kCollection, id); }

// INVALID_ARGUMENT naming `field` unless `name` is backups/{a positive id}.
absl::StatusOr<uint32_t> ParseBackupName(absl::string_view name, absl::string_view field) {
  uint32_t id = 0;
  const bool ok = absl::ConsumePrefix(&name, kCollection) && !name.empty() && name.size() <= 10 &&
                  name[0] != '0' && std::all_of(name.begin(), name.end(), absl::ascii_isdigit) &&
                  absl::SimpleAtoi(name, &id);
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be backups/{backup_id}, with a positive backup_id"));
  }
  return id;
}

dsr::v1::Backup ToApi(const storage::BackupInfo& info) {
  dsr::v1::Backup backup;
  backup.set_name(BackupName(info.id));
  backup.set_backup_id(info.id);
  *backup.mutable_create_time() = ToProtoTime(info.create_time);
  backup.set_size_bytes(info.size_bytes);
  backup.set_file_count(info.file_count);
  return backup;
}

// A page token's key: the id, zero-padded so that keys sort as ids do.
std::string PageKey(uint32_t id) { return absl::StrFormat("%010u", id); }

}  // namespace

BackupAdmin::BackupAdmin(const BackupAdminOptions& options,
                         std::unique_ptr<storage::Backups> backups)
    : store_(options.store),
      journal_(options.journal),
      limits_(options.limits),
      backups_(std::move(backups)) {}

absl::StatusOr<std::unique_ptr<BackupAdmin>> BackupAdmin::Create(
    const BackupAdminOptions& options) {
  std::unique_ptr<storage::Backups> backups;
  if (!options.backup_dir.empty()) {
    absl::StatusOr<std::unique_ptr<storage::Backups>> opened =
        storage::Backups::Open(options.backup_dir);
    if (!opened.ok()) {
      // The directory must be fixed before the broker can start: retrying
      // (as dsr-broker does after UNAVAILABLE) would not help.
      return absl::FailedPreconditionError(
          absl::StrCat("--backup_dir: ", opened.status().message()));
    }
    backups = std::move(*opened);
  }
  return std::unique_ptr<BackupAdmin>(new BackupAdmin(options, std::move(backups)));
}

absl::Status BackupAdmin::Check(const Principal& principal) const {
  DSR_RETURN_IF_ERROR(RequireAdmin(principal));
  if (backups_ == nullptr) {
    return absl::FailedPreconditionError(
        "backups are off: this broker was started without a backup directory "
        "(dsr-broker --backup_dir)");
  }
  return absl::OkStatus();
}

absl::Status BackupAdmin::CreateBackup(const Principal& principal,
                                       const dsr::v1::CreateBackupRequest& request,
                                       dsr::v1::Backup* backup) {
  DSR_RETURN_IF_ERROR(Check(principal));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "CreateBackup", request));
  if (!create_mu_.TryLock()) {
    return absl::AbortedError(
        "another backup is being taken; retry once it is done (with the same request_id to get "
        "that backup if it was yours)");
  }
  absl::Status status = CreateBackupHeld(principal, call, backup);
  create_mu_.Unlock();
  return status;
}

absl::Status BackupAdmin::CreateBackupHeld(const Principal& principal, const IdempotentCall& call,
                                           dsr::v1::Backup* backup) {
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, call.FindEarlier(*store_));
  if (earlier.has_value()) {
    DSR_ASSIGN_OR_RETURN(uint32_t id, ParseBackupName(*earlier, "request_id"));
    DSR_ASSIGN_OR_RETURN(storage::BackupInfo info, backups_->Get(id));
    *backup = ToApi(info);
    return absl::OkStatus();
  }
  // A store that cannot write could not audit the backup.
  DSR_RETURN_IF_ERROR(store_->health());

  DSR_ASSIGN_OR_RETURN(storage::BackupInfo info, backups_->Create(*store_));
  const std::string name = BackupName(info.id);
  absl::Status audited;
  {
    Journal::Mutation mutation(journal_, &call);
    // Only a call of another method can have taken the request_id since the
    // look-up (backups are taken one at a time): it keeps it, and the backup
    // is audited all the same.
    absl::StatusOr<std::optional<std::string>> taken = mutation.Earlier();
    if (taken.ok() && !taken->has_value()) mutation.RecordCall(name);
    mutation.Audit("CreateBackup", name);
    audited = mutation.Commit(principal);
  }
  // Every backup in the directory is in the audit chain: wait until its
  // event is durable, and delete the backup if it cannot be.
  if (audited.ok()) audited = store_->AwaitDurable();
  if (!audited.ok()) {
    absl::Status deleted = backups_->Delete(info.id);
    LogError(
        absl::StrCat("backup ", info.id,
                     " was taken but its audit event could not be made "
                     "durable (",
                     audited.ToString(), "); ",
                     deleted.ok() ? "deleted it" : "could not delete it: " + deleted.ToString()));
    return absl::UnavailableError(
        absl::StrCat("the backup could not be recorded in the audit log, so it was not kept: ",
                     audited.message()));
  }
  LogInfo(absl::StrCat("took backup ", info.id, ": ", info.file_count, " files, ", info.size_bytes,
                       " bytes"));
  *backup = ToApi(info);
  return absl::OkStatus();
}

void BackupAdmin::Stop() {
  if (backups_ != nullptr) backups_->Stop();
}

absl::Status BackupAdmin::ListBackups(const Principal& principal,
                                      const dsr::v1::ListBackupsRequest& request,
                                      dsr::v1::ListBackupsResponse* response) const {
  DSR_RETURN_IF_ERROR(Check(principal));
  DSR_ASSIGN_OR_RETURN(const int page_size, ResolvePageSize(request.page_size(), limits_));
  const std::string fingerprint = QueryFingerprint("ListBackups", "");
  DSR_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(request.page_token(), fingerprint));
  uint32_t last = 0;
  for (const storage::BackupInfo& info : backups_->List()) {
    if (!after.empty() && PageKey(info.id) <= after) continue;
    if (response->backups_size() == page_size) {
      response->set_next_page_token(EncodePageToken(PageKey(last), fingerprint));
      break;
    }
    *response->add_backups() = ToApi(info);
    last = info.id;
  }
  return absl::OkStatus();
}

absl::Status BackupAdmin::VerifyBackup(const Principal& principal,
                                       const dsr::v1::VerifyBackupRequest& request,
                                       dsr::v1::VerifyBackupResponse* response) const {
  DSR_RETURN_IF_ERROR(Check(principal));
  DSR_ASSIGN_OR_RETURN(const uint32_t id, ParseBackupName(request.name(), "name"));
  absl::StatusOr<storage::BackupInfo> info = backups_->Get(id);
  absl::Status verified = info.status();
  if (info.ok()) {
    *response->mutable_backup() = ToApi(*info);
    verified = backups_->Verify(id);
  } else {
    // A backup whose own description is damaged is still named.
    response->mutable_backup()->set_name(BackupName(id));
    response->mutable_backup()->set_backup_id(id);
  }
  if (verified.ok()) {
    response->set_intact(true);
    return absl::OkStatus();
  }
  if (!absl::IsDataLoss(verified)) return verified;
  LogError(verified.ToString());
  response->set_intact(false);
  response->set_problem(std::string(verified.message()));
  return absl::OkStatus();
}

}  // namespace dsr::broker
