#ifndef DSR_BROKER_BASE_LOG_H_
#define DSR_BROKER_BASE_LOG_H_

// The broker's operational log: one line per event on stderr, with a UTC
// timestamp. Thread-safe (one write per line). Callers pass only what may be
// logged: resource kinds, codes, store messages; never identifiers of people,
// request details, report contents or tokens.

#include "absl/strings/string_view.h"

namespace dsr::broker {

void LogLine(absl::string_view severity, absl::string_view message);

inline void LogError(absl::string_view message) { LogLine("E", message); }
inline void LogInfo(absl::string_view message) { LogLine("I", message); }

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_LOG_H_
