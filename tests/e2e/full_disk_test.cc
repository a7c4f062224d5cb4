// The real dsr-broker on a real full disk: a small tmpfs mounted for the
// test (which needs root; elsewhere the test is skipped, and
// tests/service/full_disk_service_test.cc covers the same ground on a
// simulated disk). Clients submit requests until the disk is full; every
// submit it cannot take is refused with UNAVAILABLE, health turns
// NOT_SERVING and the process does not crash; once space is freed the
// broker serves again by itself, and after a clean stop and a start every
// acknowledged request is there, the audit chain whole, the inbox gap-free.

#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/e2e_calls.h"
#include "tests/support/durability_checks.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"

namespace dsr::testing {
namespace {

// One busy client address; small memtables, so that table files are written
// while the test runs.
const std::vector<std::string> kFlags = {"--submits_per_address_per_minute", "0", "--memtable_mib",
                                         "8"};

// A tmpfs of `megabytes` at `path` for the test's lifetime.
class Tmpfs {
 public:
  Tmpfs(const std::string& path, int megabytes) : path_(path) {
    std::filesystem::create_directories(path);
    const std::string options = absl::StrCat("size=", megabytes, "m,mode=0700");
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the disk has no space left; its size.
int64_t FillUp(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  const std::string chunk(64 << 10, 'x');
  int64_t written = 0;
  while (out.write(chunk.data(), chunk.size()) && out.flush()) written += chunk.size();
  return written;
}

grpc::health::v1::HealthCheckResponse::ServingStatus Health(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckResponse response;
  auto context = Context();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  if (!health->Check(context.get(), {}, &response).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;  // not even listening
  }
  return response.status();
}

struct Submitted {
  std::string request, receipt;
};

TEST(FullDiskE2eTest, ABrokerOnAFullTmpfsStopsServingAndServesAgainOnceSpaceIsFreed) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "mounting a tmpfs needs root (full_disk_service_test simulates the disk)";
  }
  TempDir dir;
  Tmpfs disk(dir.Sub("disk"), 40);
  if (!disk.mounted()) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.error()
                 << "); full_disk_service_test simulates the disk";
  }
  const std::string data = dir.Sub("disk/data");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data, kFlags));
  auto channel = grpc::CreateChannel(broker->address(), grpc::InsecureChannelCredentials());
  const std::string admin = ReadAdminToken(data);
  auto registry = dsr::v1::RegistryService::NewStub(channel);
  std::string token, holding;
  ASSERT_TRUE(CreateActor(*registry, admin, "acme", &token).ok());
  ASSERT_TRUE(CreateHolding(*registry, token, "acme", "data", &holding).ok());

  // The disk fills up beside the broker; its clients keep submitting.
  const std::string filler = dir.Sub("disk/filler");
  const int64_t filled = FillUp(filler);
  std::mutex mu;
  std::vector<Submitted> submitted;
  int refused = 0;
  std::atomic<int64_t> person{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([&] {
      auto requests = dsr::v1::RequestService::NewStub(channel);
      while (!stop) {
        dsr::v1::SubmitRequestRequest erasure;
        erasure.mutable_request()->set_type(dsr::v1::ERASURE);
        auto* id = erasure.mutable_request()->add_subject_identifiers();
        id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
        id->set_value(absl::StrCat("person", ++person, "@example.com"));
        // Fill the log faster: the free text is stored with the request.
        erasure.mutable_request()->set_details(std::string(2000, 'd'));
        erasure.mutable_request()->add_targets(holding);
        dsr::v1::SubmitRequestResponse response;
        grpc::Status s = requests->SubmitRequest(Context().get(), erasure, &response);
        std::unique_lock<std::mutex> lock(mu);
        if (s.ok()) {
          submitted.push_back({response.request().name(), response.receipt_token()});
          continue;
        }
        // Refused, or (while the broker reopens its store) cut off by the
        // closing port: CANCELLED for a call that reached it as it closed.
        EXPECT_TRUE(s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                    s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                    s.error_code() == grpc::StatusCode::CANCELLED)
            << s.error_code() << ": " << s.error_message();
        ++refused;
        lock.unlock();
        absl::SleepFor(absl::Milliseconds(5));
      }
    });
  }
  // Until the broker refuses, and says it is not serving.
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  bool not_serving = false;
  while (absl::Now() < give_up && !not_serving) {
    absl::SleepFor(absl::Milliseconds(20));
    not_serving = Health(channel) != grpc::health::v1::HealthCheckResponse::SERVING;
  }
  ASSERT_TRUE(not_serving) << "the broker kept serving on a full disk";
  int refused_when_not_serving = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_GT(refused, 0);
    refused_when_not_serving = refused;
  }
  // Refusing, not crashing: it goes on answering while the disk stays full.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return refused >= refused_when_not_serving + 20;
      },
      absl::Seconds(30)))
      << broker->Output();
  ASSERT_EQ(::kill(broker->pid(), 0), 0) << broker->Output();

  // Space is back: the broker serves again by itself.
  std::filesystem::remove(filler);
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (Health(channel) != grpc::health::v1::HealthCheckResponse::SERVING &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(Health(channel), grpc::health::v1::HealthCheckResponse::SERVING) << broker->Output();
  // Writes are taken again.
  const size_t before = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return submitted.size();
  }();
  const absl::Time writes_deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < writes_deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (submitted.size() > before) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  stop = true;
  for (std::thread& t : clients) t.join();
  EXPECT_GT(submitted.size(), before) << "no submit succeeded after space was freed";
  const bool restarted = absl::StrContains(broker->Output(), "the store must be reopened");
  if (std::getenv("DSR_SHOW_BROKER_OUTPUT") != nullptr) std::cout << broker->Output();
  broker->Signal(SIGTERM);
  EXPECT_EQ(broker->Wait(), 0) << broker->Output();

  // A new process serves everything that was acknowledged.
  ASSERT_OK_AND_ASSIGN(broker, BrokerProcess::Start(data, kFlags));
  channel = grpc::CreateChannel(broker->address(), grpc::InsecureChannelCredentials());
  auto requests = dsr::v1::RequestService::NewStub(channel);
  for (const Submitted& s : submitted) ASSERT_TRUE(RequestIsThere(*requests, s.request, s.receipt));
  auto audit = dsr::v1::AuditService::NewStub(channel);
  uint64_t events = 0;
  ASSERT_TRUE(AuditChainIsIntact(*audit, admin, &events));
  auto inbox = dsr::v1::InboxService::NewStub(channel);
  uint64_t last = 0;
  ASSERT_TRUE(InboxIsGapFree(*inbox, token, 0, &last));
  EXPECT_GE(last, submitted.size());
  std::cout << "tmpfs of 40 MiB, " << (filled >> 20)
            << " MiB filled beside the broker: " << submitted.size()
            << " requests acknowledged and kept, " << refused << " submits refused; the broker "
            << (restarted ? "reopened its store by itself" : "resumed by itself") << "\n";
}

}  // namespace
}  // namespace dsr::testing
