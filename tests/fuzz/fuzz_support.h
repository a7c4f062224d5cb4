#ifndef DSR_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define DSR_TESTS_FUZZ_FUZZ_SUPPORT_H_

// Shared pieces of the fuzz targets (tests/fuzz/): a scratch directory, a
// clock the harness moves, the broker's option structs built in one place,
// and the domain objects over a throwaway store. No gtest: the targets run
// under libFuzzer or under replay_main.cc.
//
// Harness state is made once per process and never reset, so a target runs
// thousands of inputs a second; an input's effects (a created actor, a
// cancelled request) stay for the inputs after it.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/core/broker_core.h"
#include "broker/inbox/inbox.h"
#include "broker/registry/registry.h"
#include "broker/requests/requests.h"
#include "broker/server/broker_server.h"
#include "storage/store.h"

namespace dsr::fuzz {

// Prints `what` and aborts, so that libFuzzer reports the input as a crash.
[[noreturn]] void Fail(absl::string_view what);

// Aborts with `what` unless `status` is OK (harness set-up).
void CheckOk(const absl::Status& status, absl::string_view what);

// A fresh directory under $TEST_TMPDIR (else $TMPDIR, else /tmp), removed by
// an atexit handler rather than by a destructor: harness state is never
// destroyed (tearing down a server from static destructors races with
// gRPC's own), so the store may still be open when the directory goes. A
// crashing run leaves it behind; deploy/fuzz.sh points TEST_TMPDIR at a
// directory it removes.
class ScratchDir {
 public:
  explicit ScratchDir(absl::string_view name);
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(absl::string_view name) const;

 private:
  std::string path_;
};

// A clock that stands still until the harness advances it. Thread-safe.
class FuzzClock final : public broker::Clock {
 public:
  // 2026-01-01T00:00:00Z, like the tests' fake clock.
  FuzzClock() : micros_(1767225600LL * 1000000) {}
  absl::Time Now() const override { return absl::FromUnixMicros(micros_.load()); }
  void Advance(absl::Duration d) { micros_ += absl::ToInt64Microseconds(d); }

 private:
  std::atomic<int64_t> micros_;
};

// The one place where the harnesses fill the broker's options, so that a
// new required option is added here only.
broker::BrokerServerOptions MakeServerOptions(const std::string& data_dir,
                                              const broker::Clock* clock);
// The gRPC-free core over a store in `dir`, built as the server builds it
// (MakeServerOptions), without its background work.
struct Domain {
  explicit Domain(const std::string& dir);

  FuzzClock clock;
  std::unique_ptr<broker::BrokerCore> core;
  broker::Registry* registry = nullptr;
  broker::Requests* requests = nullptr;
  broker::Inbox* inbox = nullptr;
};

}  // namespace dsr::fuzz

#endif  // DSR_TESTS_FUZZ_FUZZ_SUPPORT_H_
