#ifndef DSR_BROKER_SERVER_BACKUP_FLAGS_H_
#define DSR_BROKER_SERVER_BACKUP_FLAGS_H_

// dsr-broker's flags for online backups (--backup_dir) and for restoring
// one before the broker starts (--restore_from, --restore_backup_id).

#include <cstdint>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "broker/server/broker_server.h"

namespace dsr::broker {

struct BackupFlagValues {
  // Backup directory to restore from before starting; empty: no restore.
  std::string restore_from;
  // The backup to restore; 0: the latest.
  uint32_t restore_backup_id = 0;
};

// Adds the flags to `app`, writing into `options` and `values`.
void AddBackupFlags(CLI::App& app, BrokerServerOptions& options, BackupFlagValues& values);

// With --restore_from: restores the backup into the database directory of
// options.data_dir (DatabaseDir), which must be missing or empty, and logs
// which backup it restored. Without it: does nothing. Errors name
// --restore_from: FAILED_PRECONDITION if the database directory is not
// empty (nothing is changed), NOT_FOUND if there is no such backup, DATA_LOSS
// if the backup is damaged.
absl::Status RestoreIfAsked(const BackupFlagValues& values, const BrokerServerOptions& options);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVER_BACKUP_FLAGS_H_
