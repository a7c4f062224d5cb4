#ifndef DSR_BROKER_BACKUPS_BACKUP_ADMIN_H_
#define DSR_BROKER_BACKUPS_BACKUP_ADMIN_H_

// Online backups of the broker's database (AdminService): taking, listing
// and verifying them, for the administrator alone. gRPC-free; thread-safe.
//
// A backup is a copy of personal data, which a regulator will want to see:
// each one taken is recorded in the audit chain (action "CreateBackup",
// resource "backups/{id}"), committed through the journal once the backup
// is complete. The backup itself is taken without the journal's mutation
// lock, so writes go on meanwhile; backups are taken one at a time.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/limits.h"
#include "broker/base/principal.h"
#include "broker/journal/journal.h"
#include "dsr/v1/admin_service.pb.h"
#include "storage/backups.h"
#include "storage/store.h"

namespace dsr::broker {

class IdempotentCall;

struct BackupAdminOptions {
  // REQUIRED. The store to back up. Must outlive the object.
  storage::Store* store = nullptr;
  // REQUIRED. Records each backup in the audit chain (at its clock's
  // time). Must outlive the object.
  Journal* journal = nullptr;
  // Directory of the backups; created when missing. Default (empty):
  // backups are off and every call is FAILED_PRECONDITION.
  std::string backup_dir;
  Limits limits;
};

class BackupAdmin {
 public:
  // Opens the backup directory, if any. FAILED_PRECONDITION naming
  // --backup_dir if it cannot be created or read.
  static absl::StatusOr<std::unique_ptr<BackupAdmin>> Create(const BackupAdminOptions& options);

  BackupAdmin(const BackupAdmin&) = delete;
  BackupAdmin& operator=(const BackupAdmin&) = delete;

  // Admin only. Takes a backup, then audits it, and returns once the audit
  // event is durable. With a request_id, a retry returns the first call's
  // backup (NOT_FOUND if it was removed from the directory since). ABORTED
  // while another backup is under way. UNAVAILABLE if the store cannot
  // write (then no backup is taken), or if the audit event cannot be made
  // durable: then the backup is deleted again, so that every backup in the
  // directory is in the audit chain.
  absl::Status CreateBackup(const Principal& principal, const dsr::v1::CreateBackupRequest& request,
                            dsr::v1::Backup* backup) ABSL_LOCKS_EXCLUDED(create_mu_);

  // Shutdown: a backup under way stops soon (its call fails, and it leaves
  // nothing behind); no new one starts.
  void Stop();

  // Admin only. Oldest first, paged.
  absl::Status ListBackups(const Principal& principal, const dsr::v1::ListBackupsRequest& request,
                           dsr::v1::ListBackupsResponse* response) const;

  // Admin only. NOT_FOUND if there is no such backup; a damaged one is
  // reported in the response (intact false, problem naming the bad file).
  absl::Status VerifyBackup(const Principal& principal, const dsr::v1::VerifyBackupRequest& request,
                            dsr::v1::VerifyBackupResponse* response) const;

 private:
  BackupAdmin(const BackupAdminOptions& options, std::unique_ptr<storage::Backups> backups);

  // OK for the admin when backups are on.
  absl::Status Check(const Principal& principal) const;
  // CreateBackup's work once it holds create_mu_.
  absl::Status CreateBackupHeld(const Principal& principal, const IdempotentCall& call,
                                dsr::v1::Backup* backup) ABSL_EXCLUSIVE_LOCKS_REQUIRED(create_mu_);

  storage::Store* const store_;
  Journal* const journal_;
  const Limits limits_;
  // Null when backups are off.
  const std::unique_ptr<storage::Backups> backups_;
  // Held across a whole CreateBackup: one backup at a time. A call that
  // finds it held is refused at once (ABORTED), not queued, so that retries
  // of a slow backup cannot take every worker thread.
  absl::Mutex create_mu_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_BACKUPS_BACKUP_ADMIN_H_
