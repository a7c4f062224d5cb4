// dsr-broker's flags for limits, keys, retention, TLS and rate limits land
// in the server's options, in the options' units.

#include "broker/server/limit_flags.h"
#include "broker/server/security_flags.h"
#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

BrokerServerOptions Parse(std::vector<std::string> args) {
  BrokerServerOptions options;
  SecurityFlagValues values;
  CLI::App app;
  AddLimitFlags(app, options.limits);
  AddSecurityFlags(app, options, values);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  ApplySecurityFlags(values, options);
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

}  // namespace
}  // namespace dsr::broker
