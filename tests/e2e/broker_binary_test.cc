// End-to-end tests of the dsr-broker binary: start, serve, signals, restart.

#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/broker_process.h"
#include "tests/e2e/e2e_calls.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"

namespace dsr::testing {
namespace {

class BrokerBinaryTest : public ::testing::Test {
 protected:
  void Connect(const BrokerProcess& process) {
    channel_ = grpc::CreateChannel(process.address(), grpc::InsecureChannelCredentials());
    registry_ = dsr::v1::RegistryService::NewStub(channel_);
  }
  std::string CreateActor(const std::string& admin, const std::string& id) {
    std::string token;
    grpc::Status status = testing::CreateActor(*registry_, admin, id, &token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return token;
  }
  grpc::Status CreateHolding(const std::string& token, const std::string& actor,
                             const std::string& id) {
    return testing::CreateHolding(*registry_, token, actor, id);
  }

  // Four threads that create holdings under actors/acme as fast as the broker
  // acknowledges them, until Stop().
  class HoldingWriters {
   public:
    HoldingWriters(BrokerBinaryTest* test, const std::string& token) {
      for (int t = 0; t < 4; ++t) {
        threads_.emplace_back([this, test, token, t] {
          for (int i = 0; !stop_; ++i) {
            const std::string id = "w" + std::to_string(t) + "-" + std::to_string(i);
            const grpc::Status status = test->CreateHolding(token, "acme", id);
            std::lock_guard<std::mutex> lock(mu_);
            if (status.ok()) {
              acknowledged_.push_back(id);
            } else {
              ++failures_[status.error_code()];
            }
          }
        });
      }
    }
    ~HoldingWriters() { Stop(); }
    void Stop() {
      stop_ = true;
      for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
      }
    }
    // Valid after Stop().
    const std::vector<std::string>& acknowledged() const { return acknowledged_; }
    // Writes acknowledged so far (any time).
    size_t acknowledged_count() {
      std::lock_guard<std::mutex> lock(mu_);
      return acknowledged_.size();
    }
    // Failed calls by status code.
    const std::map<grpc::StatusCode, int>& failures() const { return failures_; }

   private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
    std::mutex mu_;
    std::vector<std::string> acknowledged_;
    std::map<grpc::StatusCode, int> failures_;
  };

  TempDir dir_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<dsr::v1::RegistryService::Stub> registry_;
};

TEST_F(BrokerBinaryTest, ServesHealthAndReflectionAndKeepsDataAcrossRestart) {
  const std::string data = dir_.Sub("data");
  std::string actor_token;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data));
    EXPECT_NE(broker->Output().find("created admin token file"), std::string::npos);
    Connect(*broker);

    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::health::v1::HealthCheckResponse serving;
    ASSERT_TRUE(health->Check(Context().get(), {}, &serving).ok());
    EXPECT_EQ(serving.status(), grpc::health::v1::HealthCheckResponse::SERVING);

    auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel_);
    auto context = Context();
    auto stream = reflection->ServerReflectionInfo(context.get());
    grpc::reflection::v1alpha::ServerReflectionRequest ask;
    ask.set_list_services("");
    ASSERT_TRUE(stream->Write(ask));
    stream->WritesDone();
    grpc::reflection::v1alpha::ServerReflectionResponse services;
    ASSERT_TRUE(stream->Read(&services));
    std::set<std::string> names;
    for (const auto& s : services.list_services_response().service()) names.insert(s.name());
    EXPECT_TRUE(names.count("dsr.v1.RegistryService")) << services.DebugString();
    EXPECT_TRUE(names.count("grpc.health.v1.Health"));
    EXPECT_TRUE(stream->Finish().ok());

    const std::string admin = ReadAdminToken(data);
    ASSERT_FALSE(admin.empty());
    actor_token = CreateActor(admin, "acme");
    for (const char* id : {"raw", "filtered", "model"}) {
      ASSERT_TRUE(CreateHolding(actor_token, "acme", id).ok());
    }
    for (auto [child, parent] : {std::pair{"filtered", "raw"}, std::pair{"model", "filtered"}}) {
      dsr::v1::CreateLinkRequest request;
      request.mutable_link()->set_child(std::string("actors/acme/holdings/") + child);
      request.mutable_link()->set_parent(std::string("actors/acme/holdings/") + parent);
      request.mutable_link()->set_relation(dsr::v1::Link::DERIVED);
      dsr::v1::Link link;
      ASSERT_TRUE(registry_->CreateLink(Context(actor_token).get(), request, &link).ok());
    }

    const absl::Time signalled = absl::Now();
    broker->Signal(SIGTERM);
    EXPECT_EQ(broker->Wait(), 0) << broker->Output();
    // Idle client connections must not hold the shutdown up.
    EXPECT_LT(absl::Now() - signalled, absl::Seconds(3));
    EXPECT_NE(broker->Output().find("stopped"), std::string::npos);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data));
  EXPECT_EQ(broker->Output().find("created admin token file"), std::string::npos);
  Connect(*broker);
  dsr::v1::GetLineageRequest lineage;
  lineage.set_holding("actors/acme/holdings/raw");
  dsr::v1::GetLineageResponse reached;
  ASSERT_TRUE(registry_->GetLineage(Context().get(), lineage, &reached).ok());
  ASSERT_EQ(reached.nodes_size(), 3);
  EXPECT_EQ(reached.nodes(2).holding(), "actors/acme/holdings/model");
  EXPECT_EQ(reached.nodes(2).depth(), 2);
  // The actor's token survived the restart too.
  EXPECT_TRUE(CreateHolding(actor_token, "acme", "after-restart").ok());
  broker->Signal(SIGINT);
  EXPECT_EQ(broker->Wait(), 0);
}

TEST_F(BrokerBinaryTest, KilledMidWriteLeavesAStoreHoldingEveryAcknowledgedWrite) {
  const std::string data = dir_.Sub("data");
  std::vector<std::string> acknowledged;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data));
    Connect(*broker);
    HoldingWriters writers(this, CreateActor(ReadAdminToken(data), "acme"));
    // Killed while writes flow: after a good number were acknowledged.
    ASSERT_TRUE(
        testing::WaitFor([&] { return writers.acknowledged_count() >= 200; }, absl::Seconds(30)));
    broker->Signal(SIGKILL);
    EXPECT_EQ(broker->Wait(), 128 + SIGKILL);
    writers.Stop();
    acknowledged = writers.acknowledged();
  }
  ASSERT_GT(acknowledged.size(), 10u);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data));
  Connect(*broker);
  int missing = 0;
  for (const std::string& id : acknowledged) {
    dsr::v1::GetHoldingRequest request;
    request.set_name("actors/acme/holdings/" + id);
    dsr::v1::Holding holding;
    if (!registry_->GetHolding(Context().get(), request, &holding).ok()) ++missing;
  }
  EXPECT_EQ(missing, 0) << "of " << acknowledged.size() << " acknowledged";
}

TEST_F(BrokerBinaryTest, SigtermUnderLoadExitsZeroAndKeepsWhatItAcknowledged) {
  const std::string data = dir_.Sub("data");
  std::vector<std::string> acknowledged;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data));
    Connect(*broker);
    const std::string token = CreateActor(ReadAdminToken(data), "acme");
    // The organisation listens to its inbox meanwhile: its stream must end
    // with UNAVAILABLE (reconnect), not hang or end OK.
    auto inbox = dsr::v1::InboxService::NewStub(channel_);
    grpc::ClientContext listening;
    listening.AddMetadata("authorization", "Bearer " + token);
    listening.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> stream =
        inbox->StreamInbox(&listening, dsr::v1::StreamInboxRequest());
    stream->WaitForInitialMetadata();
    HoldingWriters writers(this, token);
    // Signalled under load: once writes are being acknowledged.
    ASSERT_TRUE(
        testing::WaitFor([&] { return writers.acknowledged_count() >= 100; }, absl::Seconds(30)));
    broker->Signal(SIGTERM);
    dsr::v1::InboxEvent event;
    while (stream->Read(&event)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(broker->Wait(), 0) << broker->Output();
    writers.Stop();
    acknowledged = writers.acknowledged();
    // Calls after the signal were refused (UNAVAILABLE from the draining
    // broker or the closed port; CANCELLED for one that reached the broker
    // as it closed, before any of its code ran), never left to time out.
    for (const auto& [code, count] : writers.failures()) {
      EXPECT_TRUE(code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED)
          << count << " calls failed with code " << code;
    }
  }
  ASSERT_GT(acknowledged.size(), 10u);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> broker, BrokerProcess::Start(data));
  Connect(*broker);
  dsr::v1::ListHoldingsRequest list;
  list.set_parent("actors/acme");
  list.set_page_size(1000);
  std::set<std::string> stored;
  do {
    dsr::v1::ListHoldingsResponse page;
    ASSERT_TRUE(registry_->ListHoldings(Context().get(), list, &page).ok());
    for (const auto& h : page.holdings()) stored.insert(h.name().substr(21));
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id;
}

TEST_F(BrokerBinaryTest, RefusesASecondBrokerOnTheSameDataAndBadFlags) {
  const std::string data = dir_.Sub("data");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BrokerProcess> first, BrokerProcess::Start(data));
  std::string output;
  EXPECT_EQ(BrokerProcess::RunToExit({"--listen", "127.0.0.1:0", "--data_dir", data}, &output), 1);
  EXPECT_NE(output.find("dsr-broker: open"), std::string::npos) << output;
  output.clear();
  EXPECT_NE(BrokerProcess::RunToExit({"--no_such_flag"}, &output), 0);
  output.clear();
  EXPECT_EQ(
      BrokerProcess::RunToExit({"--listen", "nonsense", "--data_dir", dir_.Sub("other")}, &output),
      1);
  EXPECT_NE(output.find("listen"), std::string::npos) << output;
  output.clear();
  EXPECT_EQ(BrokerProcess::RunToExit({"--help"}, &output), 0);
  EXPECT_NE(output.find("--data_dir"), std::string::npos);
}

}  // namespace
}  // namespace dsr::testing
