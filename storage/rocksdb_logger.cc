#include "storage/rocksdb_logger.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dsr::storage {
namespace {

class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char message[2048];
    const int n = std::vsnprintf(message, sizeof(message), format, ap);
    if (n < 0) return;
    // The broker's line format (broker/base/log.cc): severity letter, UTC time.
    const char* severity = level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? "E" : "W";
    std::string line = absl::StrCat(
        severity, " ", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
        " rocksdb: ", message, "\n");
    // A single write keeps concurrent lines whole.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewStderrLogger() { return std::make_shared<StderrLogger>(); }

}  // namespace dsr::storage
