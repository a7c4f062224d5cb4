// dsr-broker's flags for limits, keys, retention, TLS, rate limits and
// backups land in the server's options, in the options' units; a restore
// asked for on the command line is done before the broker opens its data.

#include <filesystem>
#include <fstream>

#include "broker/server/backup_flags.h"
#include "broker/server/limit_flags.h"
#include "broker/server/security_flags.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "gtest/gtest.h"
#include "storage/backups.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::broker {
namespace {

BrokerServerOptions Parse(std::vector<std::string> args, BackupFlagValues* backup = nullptr) {
  BrokerServerOptions options;
  SecurityFlagValues values;
  BackupFlagValues backup_values;
  CLI::App app;
  AddLimitFlags(app, options.limits);
  AddSecurityFlags(app, options, values);
  AddBackupFlags(app, options, backup_values);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  ApplySecurityFlags(values, options);
  if (backup != nullptr) *backup = backup_values;
  return options;
}

TEST(ServerFlagsTest, DefaultsAreTheSpecificationsAndTheIssues) {
  const BrokerServerOptions options = Parse({});
  EXPECT_EQ(options.limits.max_identifiers, 32);
  EXPECT_EQ(options.limits.max_targets, 64);
  EXPECT_EQ(options.retention, absl::Hours(24 * 180));
  EXPECT_DOUBLE_EQ(options.rate_limits.submits_per_address.per_second, 1.0);
  EXPECT_DOUBLE_EQ(options.rate_limits.submits_per_subject.per_second, 10.0 / 3600);
  EXPECT_FALSE(options.tls.require_tls);
}

TEST(ServerFlagsTest, FlagsSetLimitsRetentionAndRates) {
  const BrokerServerOptions options =
      Parse({"--max_identifiers", "4", "--max_free_text_bytes", "100", "--retention_days", "30",
             "--submits_per_subject_per_hour", "0", "--failed_auths_per_address_per_minute", "6",
             "--failed_auths_per_address_burst", "3", "--require_tls"});
  EXPECT_EQ(options.limits.max_identifiers, 4);
  EXPECT_EQ(options.limits.max_free_text_bytes, 100u);
  EXPECT_EQ(options.retention, absl::Hours(24 * 30));
  EXPECT_EQ(options.rate_limits.submits_per_subject.per_second, 0);  // off
  EXPECT_DOUBLE_EQ(options.rate_limits.failed_authentications_per_address.per_second, 0.1);
  EXPECT_DOUBLE_EQ(options.rate_limits.failed_authentications_per_address.burst, 3);
  EXPECT_TRUE(options.tls.require_tls);
}

TEST(ServerFlagsTest, RefusesOutOfRangeValues) {
  EXPECT_THROW(Parse({"--max_identifiers", "0"}), CLI::ValidationError);
  EXPECT_THROW(Parse({"--retention_days", "-1"}), CLI::ValidationError);
  EXPECT_THROW(Parse({"--tls_cert", "/no/such/file"}), CLI::ValidationError);
}

TEST(ServerFlagsTest, BackupFlagsSetTheDirectoryAndWhatToRestore) {
  BackupFlagValues backup;
  EXPECT_TRUE(Parse({}, &backup).backup_dir.empty());  // off by default
  EXPECT_TRUE(backup.restore_from.empty());
  EXPECT_EQ(backup.restore_backup_id, 0u);
  const BrokerServerOptions options =
      Parse({"--backup_dir", "/b", "--restore_from", "/old", "--restore_backup_id", "3"}, &backup);
  EXPECT_EQ(options.backup_dir, "/b");
  EXPECT_EQ(backup.restore_from, "/old");
  EXPECT_EQ(backup.restore_backup_id, 3u);
  EXPECT_THROW(Parse({"--restore_backup_id", "3"}), CLI::RequiresError);
  EXPECT_THROW(Parse({"--restore_from", "/old", "--restore_backup_id", "0"}), CLI::ValidationError);
}

class RestoreFlagsTest : public ::testing::Test {
 protected:
  // Backups 1 (one actor) and 2 (two actors) in dir_/backups.
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::Store> store,
                         storage::RocksDbStore::Open(storage::StoreOptions{dir_.Sub("old/db")}));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::Backups> backups,
                         storage::Backups::Open(dir_.Sub("backups")));
    for (const char* id : {"first", "second"}) {
      storage::WriteBatch batch = store->NewWriteBatch();
      dsr::storage::v1::ActorRecord actor;
      actor.set_actor_id(id);
      batch.Put(storage::ColumnFamily::kActors, storage::keys::Actor(id), actor);
      ASSERT_OK(store->Commit(batch));
      ASSERT_OK(backups->Create(*store));
    }
  }

  // The options of `args` for a broker on `data_dir` (main's --data_dir).
  static BrokerServerOptions ParseOn(const std::string& data_dir, std::vector<std::string> args,
                                     BackupFlagValues* backup) {
    BrokerServerOptions options = Parse(std::move(args), backup);
    options.data_dir = data_dir;
    return options;
  }

  // Whether the database restored into `data_dir` holds actor `id`.
  static bool Holds(const std::string& data_dir, const std::string& id) {
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::RocksDbStore::Open(storage::StoreOptions{DatabaseDir(data_dir)});
    EXPECT_OK(store);
    dsr::storage::v1::ActorRecord actor;
    return store.ok() &&
           (*store)->Get(storage::ColumnFamily::kActors, storage::keys::Actor(id), &actor).ok();
  }

  testing::TempDir dir_;
};

TEST_F(RestoreFlagsTest, RestoresTheLatestOrTheNamedBackupIntoTheDataDirectory) {
  BackupFlagValues backup;
  BrokerServerOptions options =
      ParseOn(dir_.Sub("latest"), {"--restore_from", dir_.Sub("backups")}, &backup);
  ASSERT_OK(RestoreIfAsked(backup, options));
  EXPECT_TRUE(Holds(dir_.Sub("latest"), "second"));

  options = ParseOn(dir_.Sub("named"),
                    {"--restore_from", dir_.Sub("backups"), "--restore_backup_id", "1"}, &backup);
  ASSERT_OK(RestoreIfAsked(backup, options));
  EXPECT_TRUE(Holds(dir_.Sub("named"), "first"));
  EXPECT_FALSE(Holds(dir_.Sub("named"), "second"));

  // Without --restore_from nothing happens.
  options = ParseOn(dir_.Sub("untouched"), {}, &backup);
  ASSERT_OK(RestoreIfAsked(backup, options));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("untouched")));
}

TEST_F(RestoreFlagsTest, RefusesADataDirectoryThatHoldsADatabaseAndNamesTheFlag) {
  BackupFlagValues backup;
  BrokerServerOptions options =
      ParseOn(dir_.Sub("old"), {"--restore_from", dir_.Sub("backups")}, &backup);
  absl::Status refused = RestoreIfAsked(backup, options);
  EXPECT_CODE(refused, absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("--restore_from"), std::string::npos) << refused;
  EXPECT_NE(refused.message().find("not empty"), std::string::npos) << refused;

  // Key files already in place beside the database do not count.
  std::filesystem::create_directories(dir_.Sub("fresh"));
  std::ofstream(dir_.Sub("fresh/master_key")) << "kept apart\n";
  options = ParseOn(dir_.Sub("fresh"),
                    {"--restore_from", dir_.Sub("backups"), "--restore_backup_id", "9"}, &backup);
  absl::Status unknown = RestoreIfAsked(backup, options);
  EXPECT_CODE(unknown, absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("--restore_backup_id: there is no backup 9"), std::string::npos)
      << unknown;
  backup.restore_backup_id = 0;
  EXPECT_OK(RestoreIfAsked(backup, options));
  EXPECT_TRUE(Holds(dir_.Sub("fresh"), "second"));
}

}  // namespace
}  // namespace dsr::broker
