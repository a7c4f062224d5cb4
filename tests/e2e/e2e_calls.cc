#include "tests/e2e/e2e_calls.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dsr::testing {

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return context;
}

std::string ReadAdminToken(const std::string& data_dir) {
  std::ifstream in(data_dir + "/admin_token");
  std::string token;
  std::getline(in, token);
  return std::string(absl::StripAsciiWhitespace(token));
}

grpc::Status CreateActor(dsr::v1::RegistryService::Stub& registry, const std::string& admin,
                         const std::string& actor_id, std::string* token) {
  dsr::v1::CreateActorRequest request;
  request.set_actor_id(actor_id);
  request.mutable_actor()->set_display_name("Org " + actor_id);
  request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  request.mutable_actor()->set_contact_email("dpo@" + actor_id + ".example");
  dsr::v1::CreateActorResponse response;
  grpc::Status status = registry.CreateActor(Context(admin).get(), request, &response);
  *token = response.token();
  return status;
}

grpc::Status CreateHolding(dsr::v1::RegistryService::Stub& registry, const std::string& token,
                           const std::string& actor_id, const std::string& holding_id,
                           std::string* name) {
  dsr::v1::CreateHoldingRequest request;
  request.set_parent("actors/" + actor_id);
  request.set_holding_id(holding_id);
  request.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
  request.mutable_holding()->set_title("Holding " + holding_id);
  dsr::v1::Holding holding;
  grpc::Status status = registry.CreateHolding(Context(token).get(), request, &holding);
  if (name != nullptr) *name = holding.name();
  return status;
}

}  // namespace dsr::testing
