#include "storage/backups.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"
#include "storage/rocksdb_status.h"
#include "storage/rocksdb_store.h"

namespace dsr::storage {
namespace {

// RocksDB's defaults: table files shared between backups under names that
// carry their checksum, every file synced, one copying thread.
rocksdb::BackupEngineOptions EngineOptions(const std::string& dir) {
  return rocksdb::BackupEngineOptions(dir);
}

BackupInfo InfoOf(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.id = info.backup_id;
  out.create_time = absl::FromUnixSeconds(info.timestamp);
  out.size_bytes = info.size;
  out.file_count = info.number_files;
  return out;
}

// A backup's description: NOT_FOUND naming `id` when there is none.
absl::StatusOr<BackupInfo> Describe(const rocksdb::BackupEngineReadOnlyBase& engine, uint32_t id) {
  rocksdb::BackupInfo info;
  rocksdb::Status s = engine.GetBackupInfo(id, &info);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("there is no backup ", id));
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("read backup ", id));
  return InfoOf(info);
}

// Makes the entry of `path` in its directory durable.
// Makes the entries of directory `dir` durable.
absl::Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::fsync(fd) == 0;
  const int error = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) {
    return absl::UnavailableError(
        absl::StrCat("cannot sync directory ", dir.string(), ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

absl::Status SyncParentDirectory(const std::filesystem::path& path) {
  return SyncDirectory(path.parent_path().empty() ? "." : path.parent_path());
}

}  // namespace

Backups::Backups(std::string dir, std::unique_ptr<rocksdb::BackupEngine> engine)
    : dir_(std::move(dir)), engine_(std::move(engine)) {}

Backups::~Backups() = default;

absl::StatusOr<std::unique_ptr<Backups>> Backups::Open(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("backup directory is empty");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create backup directory ", dir, ": ", ec.message()));
  }
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngine::Open(EngineOptions(dir), rocksdb::Env::Default(), &engine);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("open backup directory ", dir));
  return std::unique_ptr<Backups>(new Backups(dir, std::unique_ptr<rocksdb::BackupEngine>(engine)));
}

absl::StatusOr<BackupInfo> Backups::Create(Store& any_store) {
  auto* rocks = dynamic_cast<RocksDbStore*>(&any_store);
  if (rocks == nullptr) {
    return absl::FailedPreconditionError(
        "online backups are for the embedded RocksDB store; back this storage up with its own "
        "tools");
  }
  RocksDbStore& store = *rocks;
  rocksdb::CreateBackupOptions options;
  // Memtables are flushed to table files first, so that the backup holds
  // every applied write, synced or not yet; the live write-ahead logs are
  // copied too, up to where they were when the files were listed.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  rocksdb::IOStatus s = engine_->CreateNewBackup(options, store.db_.get(), &id);
  if (!s.ok()) return FromRocksDb(s, "create backup");
  return Get(id);
}

absl::Status Backups::Delete(uint32_t id) {
  if (absl::StatusOr<BackupInfo> info = Get(id); !info.ok()) return info.status();
  rocksdb::IOStatus s = engine_->DeleteBackup(id);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("delete backup ", id));
  return absl::OkStatus();
}

void Backups::Stop() { engine_->StopBackup(); }

std::vector<BackupInfo> Backups::List() const {
  std::vector<rocksdb::BackupInfo> infos;
  engine_->GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const rocksdb::BackupInfo& info : infos) out.push_back(InfoOf(info));
  std::sort(out.begin(), out.end(),
            [](const BackupInfo& a, const BackupInfo& b) { return a.id < b.id; });
  return out;
}

absl::StatusOr<BackupInfo> Backups::Get(uint32_t id) const { return Describe(*engine_, id); }

absl::Status Backups::Verify(uint32_t id) const {
  absl::StatusOr<BackupInfo> info = Get(id);
  if (!info.ok()) return info.status();
  rocksdb::IOStatus s = engine_->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (s.ok()) return absl::OkStatus();
  // RocksDB says NotFound for a missing file, Corruption for a wrong size or
  // checksum: either way the backup, which exists, is damaged.
  if (s.IsNotFound() || s.IsCorruption()) {
    return absl::DataLossError(absl::StrCat("backup ", id, " is damaged: ", s.ToString()));
  }
  return FromRocksDb(s, absl::StrCat("verify backup ", id));
}

absl::StatusOr<BackupInfo> Backups::Restore(const std::string& backup_dir,
                                            std::optional<uint32_t> id, const std::string& db_dir) {
  namespace fs = std::filesystem;
  if (backup_dir.empty()) return absl::InvalidArgumentError("backup directory is empty");
  if (db_dir.empty()) return absl::InvalidArgumentError("database directory is empty");
  const fs::path target = fs::path(db_dir).lexically_normal();
  const fs::path db_path = target.has_filename() ? target : target.parent_path();
  std::error_code ec;
  bool empty = true;
  if (fs::exists(db_path, ec) && !ec) empty = fs::is_empty(db_path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot read the database directory ", db_path.string(), ": ", ec.message()));
  }
  if (!empty) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database directory ", db_path.string(),
                     " is not empty: refusing to restore over it; restore into a new data "
                     "directory"));
  }
  if (!fs::is_directory(backup_dir, ec)) {
    return absl::NotFoundError(absl::StrCat("there is no backup directory ", backup_dir));
  }

  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngineReadOnly::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("open backup directory ", backup_dir));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  absl::StatusOr<BackupInfo> info;
  if (id.has_value()) {
    info = Describe(*engine, *id);
  } else {
    rocksdb::BackupInfo latest;
    rocksdb::Status found = engine->GetLatestBackupInfo(&latest);
    if (found.IsNotFound()) {
      return absl::NotFoundError(absl::StrCat("there is no backup in ", backup_dir));
    }
    info = found.ok() ? absl::StatusOr<BackupInfo>(InfoOf(latest))
                      : FromRocksDb(found, "read the latest backup");
  }
  if (!info.ok()) return info.status();

  // Restored beside the target and moved into place whole, so that a
  // restore cut short never leaves a half database where one is expected.
  const fs::path staging = fs::path(db_path.string() + ".restoring");
  fs::remove_all(staging, ec);
  fs::create_directories(staging.parent_path(), ec);
  s = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), info->id, staging.string(),
                                  staging.string());
  // The engine's copying threads may still be finishing a file when the
  // restore reports a failure: close it before removing what it made.
  engine.reset();
  if (!s.ok()) {
    fs::remove_all(staging, ec);
    return FromRocksDb(s, absl::StrCat("restore backup ", info->id));
  }
  // The restored files' names are durable before the directory moves.
  if (absl::Status synced = SyncDirectory(staging); !synced.ok()) {
    fs::remove_all(staging, ec);
    return synced;
  }
  // rename(2) replaces an empty directory and refuses a non-empty one.
  fs::rename(staging, db_path, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove_all(staging, ec);
    return absl::UnavailableError(
        absl::StrCat("cannot move the restored database into ", db_path.string(), ": ", why));
  }
  absl::Status synced = SyncParentDirectory(db_path);
  if (!synced.ok()) return synced;
  return info;
}

}  // namespace dsr::storage
