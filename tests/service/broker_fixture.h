#ifndef DSR_TESTS_SERVICE_BROKER_FIXTURE_H_
#define DSR_TESTS_SERVICE_BROKER_FIXTURE_H_

#include <functional>
#include <memory>
#include <string>

#include "broker/server/broker_server.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_sender.h"
#include "tests/support/temp_dir.h"

namespace dsr::testing {

// A broker served in-process on a free loopback port, over a throwaway data
// directory, with a known admin token and a fake clock.
class BrokerFixture : public ::testing::Test {
 protected:
  static constexpr char kAdminToken[] = "dsr_admin_fixture-token";

  // `configure` may change the server's options before it starts; `connect`
  // makes the fixture's channel to the server's address (default: plaintext).
  explicit BrokerFixture(
      std::function<void(broker::BrokerServerOptions&)> configure = nullptr,
      std::function<std::shared_ptr<grpc::Channel>(const std::string&)> connect = nullptr);
  ~BrokerFixture() override;

  // Stops the server and starts a new one on the same data directory,
  // running `while_stopped` (if any) in between.
  void Restart(const std::function<void()>& while_stopped = nullptr);

  // A client context carrying `token` (none when empty) and a deadline.
  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "");
  static std::unique_ptr<grpc::ClientContext> AdminContext() { return Context(kAdminToken); }

  // Creates an actor as admin and returns its token.
  std::string CreateActor(const std::string& actor_id);
  // Creates a dataset holding with `token`; returns its name.
  std::string CreateHolding(const std::string& token, const std::string& actor_id,
                            const std::string& holding_id);
  // Declares a DERIVED link with `token`; one PROPOSED across organisations
  // is then accepted with the admin token (so the parent's owner gets a
  // LINK_PROPOSED event, and the child's owner LINK_ACCEPTED).
  grpc::Status CreateLink(const std::string& token, const std::string& child,
                          const std::string& parent, dsr::v1::Link* link = nullptr);

  TempDir dir_;
  // The data directory of the next start. Default (empty): dir_.
  std::string data_dir_;
  FakeClock clock_;
  // What the broker sends people by email and text message.
  std::shared_ptr<FakeSender> mail_ = std::make_shared<FakeSender>();
  std::shared_ptr<FakeSender> texts_ = std::make_shared<FakeSender>();
  std::unique_ptr<broker::BrokerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<dsr::v1::RegistryService::Stub> registry_;

 private:
  void Start();
  std::function<void(broker::BrokerServerOptions&)> configure_;
  std::function<std::shared_ptr<grpc::Channel>(const std::string&)> connect_;
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_SERVICE_BROKER_FIXTURE_H_
