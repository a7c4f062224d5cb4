#include "tests/fuzz/fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/fake_sender.h"

namespace dsr::fuzz {

void Fail(absl::string_view what) {
  std::fprintf(stderr, "FUZZ FAILURE: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

void CheckOk(const absl::Status& status, absl::string_view what) {
  if (!status.ok()) Fail(absl::StrCat(what, ": ", status.ToString()));
}

ScratchDir::ScratchDir(absl::string_view name) {
  const char* root = std::getenv("TEST_TMPDIR");
  if (root == nullptr || *root == '\0') root = std::getenv("TMPDIR");
  if (root == nullptr || *root == '\0') root = "/tmp";
  path_ = (std::filesystem::path(root) / absl::StrCat("dsr-fuzz-", name, "-", ::getpid())).string();
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
  static std::vector<std::string>* to_remove = new std::vector<std::string>();
  if (to_remove->empty()) {
    std::atexit([] {
      std::error_code ignored;
      for (const std::string& p : *to_remove) std::filesystem::remove_all(p, ignored);
    });
  }
  to_remove->push_back(path_);
}

std::string ScratchDir::Sub(absl::string_view name) const {
  return (std::filesystem::path(path_) / std::string(name)).string();
}

broker::BrokerServerOptions MakeServerOptions(const std::string& data_dir,
                                              const broker::Clock* clock) {
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir;
  options.clock = clock;
  options.backup_dir = (std::filesystem::path(data_dir) / "backups").string();
  // One worker each: the fuzzer sends one call at a time.
  options.read_threads = 1;
  options.write_threads = 1;
  // Often enough that inputs which move the clock see tasks announced and
  // personal data purged.
  options.overdue_sweep_interval = absl::Milliseconds(100);
  // The fuzzer is one very busy client; limits would refuse most of its calls.
  options.rate_limits.TurnOff();
  options.rate_limits.failed_authentication_delay = absl::ZeroDuration();
  // Requests are filed without verification, so that inputs reach routing;
  // the verification calls are fuzzed beside them, their codes kept here.
  options.identity.require_verification = false;
  options.identity.verify_web_sites = false;
  options.identity.email_sender = std::make_shared<testing::FakeSender>();
  // Small enough that the set-up's shapes (a deep chain, a wide star) reach
  // them, so that inputs meet the refusals and the page breaks.
  options.limits.max_tasks_per_request = 250;
  options.limits.max_routing_depth = 150;
  options.limits.max_late_tasks_per_commit = 20;
  options.connection.max_message_bytes = 1 << 20;
  return options;
}

Domain::Domain(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<broker::BrokerCore>> made =
      broker::BrokerCore::Create(MakeServerOptions(dir, &clock));
  CheckOk(made.status(), "create the core");
  core = std::move(*made);
  registry = &core->registry();
  requests = &core->requests();
  inbox = &core->inbox();
}

}  // namespace dsr::fuzz
