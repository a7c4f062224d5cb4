#ifndef DSR_BROKER_SERVER_LIMIT_FLAGS_H_
#define DSR_BROKER_SERVER_LIMIT_FLAGS_H_

// dsr-broker's flags for the size limits of SPEC §5 (broker/base/limits.h).

#include "CLI/CLI.hpp"
#include "broker/base/limits.h"

namespace dsr::broker {

void AddLimitFlags(CLI::App& app, Limits& limits);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVER_LIMIT_FLAGS_H_
