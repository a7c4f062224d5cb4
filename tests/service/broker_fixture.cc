#include "tests/service/broker_fixture.h"

#include <sys/stat.h>

#include <fstream>

#include "absl/time/clock.h"
#include "tests/support/status_matchers.h"

namespace dsr::testing {

BrokerFixture::BrokerFixture(
    std::function<void(broker::BrokerServerOptions&)> configure,
    std::function<std::shared_ptr<grpc::Channel>(const std::string&)> connect)
    : configure_(std::move(configure)), connect_(std::move(connect)) {
  const std::string token_file = dir_.Sub("admin_token");
  std::ofstream(token_file) << kAdminToken << "\n";
  ::chmod(token_file.c_str(), 0600);
  Start();
}

BrokerFixture::~BrokerFixture() = default;

void BrokerFixture::Start() {
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir_.empty() ? dir_.path() : data_dir_;
  options.clock = &clock_;
  options.read_threads = 2;
  options.write_threads = 4;
  // Tests make many calls from one address; rate-limit tests turn these on.
  options.rate_limits.TurnOff();
  // Many cells of the tests fail authentication on purpose; the delay has a
  // test of its own.
  options.rate_limits.failed_authentication_delay = absl::ZeroDuration();
  // Most tests file requests without verifying; the identity tests turn the
  // policy on. Codes go to `mail_`.
  options.identity.require_verification = false;
  options.identity.verify_web_sites = false;
  options.identity.email_sender = mail_;
  options.identity.phone_sender = texts_;
  if (configure_) configure_(options);
  absl::StatusOr<std::unique_ptr<broker::BrokerServer>> server =
      broker::BrokerServer::Start(options);
  ASSERT_OK(server);
  server_ = std::move(*server);
  channel_ = connect_ ? connect_(server_->address())
                      : grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  registry_ = dsr::v1::RegistryService::NewStub(channel_);
}

void BrokerFixture::Restart(const std::function<void()>& while_stopped) {
  registry_.reset();
  channel_.reset();
  server_->Shutdown(absl::Seconds(5));
  server_.reset();
  if (while_stopped) while_stopped();
  Start();
}

std::unique_ptr<grpc::ClientContext> BrokerFixture::Context(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

std::string BrokerFixture::CreateActor(const std::string& actor_id) {
  dsr::v1::CreateActorRequest request;
  request.set_actor_id(actor_id);
  request.mutable_actor()->set_display_name("Org " + actor_id);
  request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  request.mutable_actor()->set_contact_email("privacy@" + actor_id + ".example");
  dsr::v1::CreateActorResponse response;
  grpc::Status status = registry_->CreateActor(AdminContext().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.token();
}

std::string BrokerFixture::CreateHolding(const std::string& token, const std::string& actor_id,
                                         const std::string& holding_id) {
  dsr::v1::CreateHoldingRequest request;
  request.set_parent("actors/" + actor_id);
  request.set_holding_id(holding_id);
  request.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
  request.mutable_holding()->set_title("Dataset " + holding_id);
  dsr::v1::Holding holding;
  grpc::Status status = registry_->CreateHolding(Context(token).get(), request, &holding);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return holding.name();
}

grpc::Status BrokerFixture::CreateLink(const std::string& token, const std::string& child,
                                       const std::string& parent, dsr::v1::Link* link) {
  dsr::v1::CreateLinkRequest request;
  request.mutable_link()->set_child(child);
  request.mutable_link()->set_parent(parent);
  request.mutable_link()->set_relation(dsr::v1::Link::DERIVED);
  dsr::v1::Link made;
  grpc::Status status = registry_->CreateLink(Context(token).get(), request, &made);
  if (status.ok() && made.state() == dsr::v1::Link::PROPOSED) {
    dsr::v1::AcceptLinkRequest accept;
    accept.set_name(made.name());
    status = registry_->AcceptLink(AdminContext().get(), accept, &made);
  }
  if (link != nullptr) *link = made;
  return status;
}

}  // namespace dsr::testing
