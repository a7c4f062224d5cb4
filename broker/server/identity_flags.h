#ifndef DSR_BROKER_SERVER_IDENTITY_FLAGS_H_
#define DSR_BROKER_SERVER_IDENTITY_FLAGS_H_

// dsr-broker's command-line flags for proving who people are: the policy,
// email (SMTP), text messages, web-site challenges, the attestation key and
// the verification rate limits (docs/IDENTITY.md).

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "broker/server/broker_server.h"

namespace dsr::broker {

// Values parsed into units other than the options' own; Apply converts.
struct IdentityFlagValues {
  bool no_verification = false;
  std::string smtp_password_file;
  double code_minutes = 10;
  double token_minutes = 30;
  double verifications_per_address_per_hour = 10;
  double verifications_per_identifier_per_hour = 5;
  double confirmations_per_address_per_minute = 30;
  double lookups_per_address_per_hour = 10;
  double lookups_per_identifier_per_hour = 10;
};

void AddIdentityFlags(CLI::App& app, BrokerServerOptions& options, IdentityFlagValues& values);
// After parsing: moves `values` into `options`; FAILED_PRECONDITION if the
// SMTP password file cannot be read.
absl::Status ApplyIdentityFlags(const IdentityFlagValues& values, BrokerServerOptions& options);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVER_IDENTITY_FLAGS_H_
