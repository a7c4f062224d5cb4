#ifndef DSR_BROKER_SERVER_SECURITY_FLAGS_H_
#define DSR_BROKER_SERVER_SECURITY_FLAGS_H_

// dsr-broker's command-line flags for keys, retention, TLS and rate limits.

#include "CLI/CLI.hpp"
#include "broker/server/broker_server.h"

namespace dsr::broker {

// Values parsed into units other than the options' own; Apply() converts.
struct SecurityFlagValues {
  double retention_days = 180;
  double submits_per_address_per_minute = 60;
  double submits_per_subject_per_hour = 10;
  double failed_authentications_per_address_per_minute = 12;
  double failed_authentication_delay_ms = 1000;
};

// Adds the flags to `app`, writing into `options` and `values`.
void AddSecurityFlags(CLI::App& app, BrokerServerOptions& options, SecurityFlagValues& values);

// After parsing: moves `values` into `options`.
void ApplySecurityFlags(const SecurityFlagValues& values, BrokerServerOptions& options);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVER_SECURITY_FLAGS_H_
