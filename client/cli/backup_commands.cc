// `dsr admin backup` commands: online backups of the broker's database
// (AdminService).

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "client/cli/cli.h"
#include "client/cli/format.h"

namespace dsr::client {
namespace {

// "512 B", "3.4 KiB", "1.2 MiB", "5.0 GiB".
std::string FormatBytes(uint64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  double value = static_cast<double>(bytes) / 1024;
  for (const char* unit : {"KiB", "MiB", "GiB"}) {
    if (value < 1024) return absl::StrFormat("%.1f %s", value, unit);
    value /= 1024;
  }
  return absl::StrFormat("%.1f TiB", value);
}

// The backup name for ID, given as `3` or `backups/3`.
absl::StatusOr<std::string> BackupName(absl::string_view id) {
  absl::string_view number = id;
  absl::ConsumePrefix(&number, "backups/");
  if (number.empty() || !std::all_of(number.begin(), number.end(), absl::ascii_isdigit)) {
    return UsageError("ID must be a backup's number, as `dsr admin backup list` shows it");
  }
  return absl::StrCat("backups/", number);
}

}  // namespace

void AddBackupCommands(CLI::App& admin, Cli& cli) {
  CLI::App* backup = admin.add_subcommand(
      "backup",
      "Online backups of the broker's database, in the broker's --backup_dir. A backup holds "
      "no key file: keep the master key and pepper files apart. Restore: dsr-broker "
      "--restore_from DIR");
  backup->require_subcommand(1);

  auto request_id = std::make_shared<std::string>();
  CLI::App* create = backup->add_subcommand(
      "create",
      "Back up the database while the broker serves; the backup is recorded in the audit log.\n"
      "Example: dsr admin backup create --request-id nightly-2026-01-31");
  create->add_option("--request-id", *request_id, "Idempotency key for a safe retry");
  create->callback([&cli, request_id] {
    cli.Run([&cli, request_id]() -> absl::Status {
      dsr::v1::CreateBackupRequest request;
      request.set_request_id(*request_id);
      absl::StatusOr<dsr::v1::Backup> made = cli.connection().CreateBackup(request);
      if (!made.ok()) return made.status();
      cli.Print(*made, [&] {
        cli.out() << "Backup " << made->backup_id() << " taken " << FormatTime(made->create_time())
                  << ": " << made->file_count() << " files, " << FormatBytes(made->size_bytes())
                  << "\n";
      });
      return absl::OkStatus();
    });
  });

  CLI::App* list = backup->add_subcommand("list",
                                          "Every backup, oldest first.\n"
                                          "Example: dsr admin backup list");
  list->callback([&cli] {
    cli.Run([&cli]() -> absl::Status {
      dsr::v1::ListBackupsRequest request;
      request.set_page_size(1000);
      dsr::v1::ListBackupsResponse all;
      do {
        absl::StatusOr<dsr::v1::ListBackupsResponse> page = cli.connection().ListBackups(request);
        if (!page.ok()) return page.status();
        all.mutable_backups()->MergeFrom(page->backups());
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty());
      cli.Print(all, [&] {
        std::vector<std::vector<std::string>> rows;
        for (const dsr::v1::Backup& b : all.backups()) {
          rows.push_back({std::to_string(b.backup_id()), FormatTime(b.create_time()),
                          std::to_string(b.file_count()), FormatBytes(b.size_bytes())});
        }
        PrintTable(cli.out(), {"ID", "TAKEN", "FILES", "SIZE"}, rows);
      });
      return absl::OkStatus();
    });
  });

  auto verify_id = std::make_shared<std::string>();
  CLI::App* verify =
      backup->add_subcommand("verify",
                             "Re-read every file of a backup and check its size and checksum; "
                             "exits 1 if the backup is damaged.\n"
                             "Example: dsr admin backup verify 3");
  verify->add_option("id", *verify_id, "The backup's number (dsr admin backup list)")->required();
  verify->callback([&cli, verify_id] {
    cli.Run([&cli, verify_id]() -> absl::Status {
      dsr::v1::VerifyBackupRequest request;
      absl::StatusOr<std::string> name = BackupName(*verify_id);
      if (!name.ok()) return name.status();
      request.set_name(*name);
      absl::StatusOr<dsr::v1::VerifyBackupResponse> verified =
          cli.connection().VerifyBackup(request);
      if (!verified.ok()) return verified.status();
      cli.Print(*verified, [&] {
        if (verified->intact()) {
          cli.out() << "Backup " << verified->backup().backup_id()
                    << " is intact: " << verified->backup().file_count() << " files, "
                    << FormatBytes(verified->backup().size_bytes()) << "\n";
        }
      });
      if (!verified->intact()) {
        return absl::DataLossError(
            absl::StrCat("backup ", verified->backup().backup_id(),
                         " is damaged; restore another one: ", verified->problem()));
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace dsr::client
