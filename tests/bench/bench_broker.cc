#include "tests/bench/bench_broker.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace dsr::bench {

absl::StatusOr<std::unique_ptr<BenchBroker>> BenchBroker::Start(const std::string& dir,
                                                                ServerTimes* submit_times) {
  std::unique_ptr<BenchBroker> bench(new BenchBroker);
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir;
  options.rate_limits.TurnOff();
  // The workloads file unverified requests, as before identity checks, so
  // that their figures compare across rounds; the verified submission has
  // its own row (codes read from `mail_`).
  options.identity.require_verification = false;
  options.identity.verify_web_sites = false;
  options.identity.email_sender = bench->mail_;
  if (submit_times != nullptr) {
    options.configure_builder = [submit_times](grpc::ServerBuilder& builder) {
      submit_times->Install(builder);
    };
  }
  absl::StatusOr<std::unique_ptr<broker::BrokerServer>> server =
      broker::BrokerServer::Start(options);
  if (!server.ok()) return server.status();
  bench->server_ = std::move(*server);
  bench->submit_times_ = submit_times;
  client::ConnectionOptions admin;
  admin.broker = bench->server_->address();
  std::ifstream token(bench->server_->admin_token_file());
  std::getline(token, admin.token);
  bench->admin_ = client::MakeConnection(admin);
  bench->channel_ =
      grpc::CreateChannel(bench->server_->address(), grpc::InsecureChannelCredentials());
  return bench;
}

BenchBroker::~BenchBroker() {
  if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
}

absl::StatusOr<std::string> BenchBroker::CreateActor(const std::string& id) {
  dsr::v1::CreateActorRequest actor;
  actor.set_actor_id(id);
  actor.mutable_actor()->set_display_name(id);
  actor.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  actor.mutable_actor()->set_contact_email(absl::StrCat("dpo@", id, ".example"));
  absl::StatusOr<dsr::v1::CreateActorResponse> made = admin_->CreateActor(actor);
  if (!made.ok()) return made.status();
  return made->token();
}

absl::StatusOr<std::string> BenchBroker::CreateHolding(const std::string& actor,
                                                       const std::string& id) {
  dsr::v1::CreateHoldingRequest create;
  create.set_parent(absl::StrCat("actors/", actor));
  create.set_holding_id(id);
  create.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
  create.mutable_holding()->set_title(id);
  absl::StatusOr<dsr::v1::Holding> made = admin_->CreateHolding(create);
  if (!made.ok()) return made.status();
  return made->name();
}

absl::Status BenchBroker::CreateLink(const std::string& child, const std::string& parent) {
  dsr::v1::CreateLinkRequest link;
  link.mutable_link()->set_child(child);
  link.mutable_link()->set_parent(parent);
  link.mutable_link()->set_relation(dsr::v1::Link::SUBSET);
  return admin_->CreateLink(link).status();
}

}  // namespace dsr::bench
