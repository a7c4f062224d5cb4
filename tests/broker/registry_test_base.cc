#include "tests/broker/registry_test_base.h"

#include "tests/support/status_matchers.h"

namespace dsr::broker {

RegistryTest::RegistryTest() { Reopen(); }

BrokerCoreOptions RegistryTest::CoreOptions() {
  BrokerCoreOptions options;
  options.data_dir = dir_.path();
  options.clock = &clock_;
  options.limits = limits_;
  options.read_threads = 1;
  options.write_threads = 1;
  options.max_memory_mib = 0;
  options.rate_limits.TurnOff();
  // Most tests file requests without verifying identifiers; the identity
  // tests turn the policy on.
  options.identity.require_verification = false;
  options.identity.verify_web_sites = false;
  return options;
}

void RegistryTest::Reopen() {
  store_ = nullptr;
  journal_ = nullptr;
  inbox_ = nullptr;
  registry_ = nullptr;
  core_.reset();
  absl::StatusOr<std::unique_ptr<BrokerCore>> core = BrokerCore::Create(CoreOptions());
  ASSERT_OK(core);
  core_ = std::move(*core);
  store_ = &core_->store();
  journal_ = &core_->journal();
  inbox_ = &core_->inbox_log();
  registry_ = &core_->registry();
}

dsr::v1::Actor RegistryTest::ValidActor() {
  dsr::v1::Actor actor;
  actor.set_display_name("Acme Research");
  actor.add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  actor.set_contact_email("dpo@acme.example");
  return actor;
}

dsr::v1::Holding RegistryTest::ValidHolding() {
  dsr::v1::Holding holding;
  holding.set_kind(dsr::v1::Holding::DATASET);
  holding.set_title("A dataset");
  return holding;
}

std::string RegistryTest::AddActor(const std::string& id) {
  dsr::v1::CreateActorRequest request;
  request.set_actor_id(id);
  *request.mutable_actor() = ValidActor();
  dsr::v1::CreateActorResponse response;
  EXPECT_OK(registry_->CreateActor(admin_, request, &response));
  return response.token();
}

std::string RegistryTest::AddHolding(const std::string& actor, const std::string& id,
                                     dsr::v1::Holding::Kind kind) {
  dsr::v1::CreateHoldingRequest request;
  request.set_parent("actors/" + actor);
  request.set_holding_id(id);
  *request.mutable_holding() = ValidHolding();
  request.mutable_holding()->set_kind(kind);
  dsr::v1::Holding holding;
  EXPECT_OK(registry_->CreateHolding(admin_, request, &holding));
  return holding.name();
}

absl::Status RegistryTest::Link(const std::string& child, const std::string& parent,
                                std::string* name) {
  dsr::v1::CreateLinkRequest request;
  request.mutable_link()->set_child(child);
  request.mutable_link()->set_parent(parent);
  request.mutable_link()->set_relation(dsr::v1::Link::DERIVED);
  dsr::v1::Link link;
  absl::Status status = registry_->CreateLink(admin_, request, &link);
  if (name != nullptr) *name = link.name();
  return status;
}

std::vector<std::string> RegistryTest::Downstream(const std::string& root) {
  dsr::v1::GetLineageRequest request;
  request.set_holding(root);
  dsr::v1::GetLineageResponse response;
  EXPECT_OK(registry_->GetLineage(request, &response));
  std::vector<std::string> names;
  for (int i = 1; i < response.nodes_size(); ++i) names.push_back(response.nodes(i).holding());
  return names;
}

}  // namespace dsr::broker
