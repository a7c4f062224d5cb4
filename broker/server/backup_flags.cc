#include "broker/server/backup_flags.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/base/log.h"
#include "storage/backups.h"

namespace dsr::broker {

void AddBackupFlags(CLI::App& app, BrokerServerOptions& options, BackupFlagValues& values) {
  app.add_option("--backup_dir", options.backup_dir,
                 "Directory of online backups (dsr admin backup create); created when missing. "
                 "Keep it on another disk than the data. Default: none, backups are off");
  CLI::Option* restore_from = app.add_option(
      "--restore_from", values.restore_from,
      "Before starting, restore a backup from this backup directory into DATA_DIR/db, which "
      "must be missing or empty (the key files are not in a backup: put them in place too)");
  app.add_option("--restore_backup_id", values.restore_backup_id,
                 "The backup to restore (dsr admin backup list). Default: the latest")
      ->check(CLI::PositiveNumber)
      ->needs(restore_from);
}

absl::Status RestoreIfAsked(const BackupFlagValues& values, const BrokerServerOptions& options) {
  if (values.restore_from.empty()) return absl::OkStatus();
  const std::string db_dir = DatabaseDir(options.data_dir);
  std::optional<uint32_t> id;
  if (values.restore_backup_id != 0) id = values.restore_backup_id;
  absl::StatusOr<storage::BackupInfo> restored =
      storage::Backups::Restore(values.restore_from, id, db_dir);
  if (!restored.ok()) {
    // A backup that is not there is --restore_backup_id's fault when named.
    const char* flag =
        id.has_value() && restored.status().message() == absl::StrCat("there is no backup ", *id)
            ? "--restore_backup_id"
            : "--restore_from";
    return absl::Status(restored.status().code(),
                        absl::StrCat(flag, ": ", restored.status().message()));
  }
  LogInfo(absl::StrCat(
      "restored backup ", restored->id, " (taken ",
      absl::FormatTime(absl::RFC3339_sec, restored->create_time, absl::UTCTimeZone()), ", ",
      restored->file_count, " files, ", restored->size_bytes, " bytes) from ", values.restore_from,
      " into ", db_dir, "; it opens only with the master key and pepper files it was made with"));
  return absl::OkStatus();
}

}  // namespace dsr::broker
