// The whole broker on a disk that fills up (tests/support/full_disk_fs.h)
// while clients submit requests and the holder streams its inbox: every
// submit the disk cannot take fails with UNAVAILABLE, health turns
// NOT_SERVING, nothing crashes, and once space is back the broker serves
// again with everything it acknowledged. First the disk fills while RocksDB
// writes a table file (the broker resumes by itself), then while it writes
// its log (the broker asks for a restart; dsr-broker restarts by itself,
// tests/e2e/full_disk_test.cc).

#include <atomic>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "storage/rocksdb_store.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/durability_checks.h"
#include "tests/support/full_disk_fs.h"
#include "tests/support/wait_for.h"

namespace dsr::testing {
namespace {

// Made before the broker (a base class initialised first), which opens its
// store on it.
struct FullDisk {
  std::shared_ptr<FullDiskFileSystem> fs = std::make_shared<FullDiskFileSystem>();
};

class FullDiskServiceTest : private FullDisk, public BrokerFixture {
 protected:
  FullDiskServiceTest()
      : BrokerFixture([fs = fs](broker::BrokerServerOptions& options) {
          options.configure_store = [fs](storage::StoreOptions& store) {
            store.env = FullDiskFileSystem::EnvOver(fs);
            store.retry_interval = absl::Milliseconds(20);
            // Tiny memtables: flushes (table-file writes) come often.
            store.write_buffer_bytes = 16 << 10;
          };
        }) {}

  std::shared_ptr<FullDiskFileSystem> disk() { return fs; }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health() {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::health::v1::HealthCheckResponse response;
    if (!health->Check(Context().get(), {}, &response).ok()) {
      return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    }
    return response.status();
  }

  // Polls until health is `want`, for up to `timeout`.
  bool AwaitHealth(grpc::health::v1::HealthCheckResponse::ServingStatus want,
                   absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (Health() != want) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }
};

struct Submitted {
  std::string request, receipt;
};

TEST_F(FullDiskServiceTest, AFullDiskRefusesWritesAndTheBrokerComesBackWithEverything) {
  const std::string token = CreateActor("acme");
  const std::string holding = CreateHolding(token, "acme", "data");
  absl::Mutex mu;
  std::vector<Submitted> submitted;
  int refused = 0;
  int64_t person = 0;

  for (int round = 0; round < 2; ++round) {
    const bool log_fails = round == 1;
    auto requests = dsr::v1::RequestService::NewStub(channel_);
    auto inbox = dsr::v1::InboxService::NewStub(channel_);
    // The holder streams its inbox all along.
    grpc::ClientContext listening;
    listening.AddMetadata("authorization", "Bearer " + token);
    std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> listener =
        inbox->StreamInbox(&listening, dsr::v1::StreamInboxRequest());
    std::atomic<uint64_t> streamed{0};
    std::thread holder([&] {
      dsr::v1::InboxEvent event;
      while (listener->Read(&event)) streamed = event.sequence();
    });
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
      clients.emplace_back([&] {
        while (!stop) {
          dsr::v1::SubmitRequestRequest erasure;
          erasure.mutable_request()->set_type(dsr::v1::ERASURE);
          auto* id = erasure.mutable_request()->add_subject_identifiers();
          id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
          {
            absl::MutexLock lock(&mu);
            id->set_value(absl::StrCat("person", ++person, "@example.com"));
          }
          erasure.mutable_request()->add_targets(holding);
          dsr::v1::SubmitRequestResponse response;
          grpc::Status s = requests->SubmitRequest(Context().get(), erasure, &response);
          absl::MutexLock lock(&mu);
          if (s.ok()) {
            submitted.push_back({response.request().name(), response.receipt_token()});
          } else {
            // Never OK without persistence; never anything but "try later".
            EXPECT_TRUE(s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                        s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
                << s.error_code() << ": " << s.error_message();
            ++refused;
            mu.Unlock();
            absl::SleepFor(absl::Milliseconds(2));
            mu.Lock();
          }
        }
      });
    }
    // The disk fills while submits flow.
    const size_t submitted_before = [&] {
      absl::MutexLock lock(&mu);
      return submitted.size();
    }();
    ASSERT_TRUE(WaitFor([&] {
      absl::MutexLock lock(&mu);
      return submitted.size() >= submitted_before + 10;
    }));
    int refused_before = 0;
    {
      absl::MutexLock lock(&mu);
      refused_before = refused;
    }
    disk()->SetFull(true, log_fails ? FullDiskFileSystem::Refuses::kOnlyLogs
                                    : FullDiskFileSystem::Refuses::kAllButLogs);
    {
      absl::MutexLock lock(&mu);
      auto more_refused = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
        return refused > refused_before;
      };
      ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&more_refused), absl::Seconds(20)))
          << "round " << round << ": no submit was refused on a full disk";
    }
    EXPECT_TRUE(AwaitHealth(grpc::health::v1::HealthCheckResponse::NOT_SERVING, absl::Seconds(5)))
        << "round " << round;
    // Submits go on being refused while the broker does not serve.
    {
      absl::MutexLock lock(&mu);
      const int refused_not_serving = refused;
      auto refused_again = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
        return refused > refused_not_serving;
      };
      ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&refused_again), absl::Seconds(20)))
          << "round " << round;
    }
    disk()->SetFull(false);
    if (log_fails) {
      const absl::Time deadline = absl::Now() + absl::Seconds(10);
      while (!server_->NeedsRestart() && absl::Now() < deadline) {
        absl::SleepFor(absl::Milliseconds(5));
      }
      ASSERT_TRUE(server_->NeedsRestart());
      EXPECT_EQ(Health(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    } else {
      // Back by itself; the inbox events the failure held back reach the
      // stream without any new event after them.
      ASSERT_TRUE(AwaitHealth(grpc::health::v1::HealthCheckResponse::SERVING, absl::Seconds(20)));
      EXPECT_FALSE(server_->NeedsRestart());
    }
    stop = true;
    for (std::thread& t : clients) t.join();
    uint64_t last = 0;
    if (!log_fails) {
      auto stored_last = [&] {
        uint64_t l = 0;
        EXPECT_TRUE(InboxIsGapFree(*inbox, token, 0, &l));
        return l;
      };
      last = stored_last();
      for (int i = 0; i < 500 && streamed < last; ++i) absl::SleepFor(absl::Milliseconds(10));
      EXPECT_EQ(streamed.load(), last) << "events held back by the failure were never streamed";
    }
    listening.TryCancel();
    holder.join();
    listener->Finish().ok();
    requests.reset();
    inbox.reset();
    if (log_fails) Restart();
    ASSERT_EQ(Health(), grpc::health::v1::HealthCheckResponse::SERVING);

    // Everything acknowledged is there, and writes work again.
    requests = dsr::v1::RequestService::NewStub(channel_);
    inbox = dsr::v1::InboxService::NewStub(channel_);
    absl::MutexLock lock(&mu);
    for (const Submitted& s : submitted) {
      ASSERT_TRUE(RequestIsThere(*requests, s.request, s.receipt)) << "round " << round;
    }
    auto audit = dsr::v1::AuditService::NewStub(channel_);
    uint64_t events = 0;
    ASSERT_TRUE(AuditChainIsIntact(*audit, kAdminToken, &events)) << "round " << round;
    ASSERT_TRUE(InboxIsGapFree(*inbox, token, 0, &last)) << "round " << round;
    EXPECT_GE(last, submitted.size());
    dsr::v1::SubmitRequestRequest erasure;
    erasure.mutable_request()->set_type(dsr::v1::ERASURE);
    auto* id = erasure.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value(absl::StrCat("after", round, "@example.com"));
    erasure.mutable_request()->add_targets(holding);
    dsr::v1::SubmitRequestResponse response;
    grpc::Status after = requests->SubmitRequest(Context().get(), erasure, &response);
    ASSERT_TRUE(after.ok()) << "round " << round << ": " << after.error_message();
    submitted.push_back({response.request().name(), response.receipt_token()});
  }
  absl::MutexLock lock(&mu);
  std::cout << "full disk twice (a table file, then the log): " << submitted.size()
            << " acknowledged requests all kept, " << refused << " submits refused, "
            << disk()->refused() << " writes refused by the disk\n";
}

}  // namespace
}  // namespace dsr::testing
