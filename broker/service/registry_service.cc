#include "broker/service/registry_service.h"

namespace dsr::broker {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

ServerUnaryReactor* RegistryGrpcService::CreateActor(CallbackServerContext* context,
                                                     const dsr::v1::CreateActorRequest* request,
                                                     dsr::v1::CreateActorResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->CreateActor(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::GetActor(CallbackServerContext* context,
                                                  const dsr::v1::GetActorRequest* request,
                                                  dsr::v1::Actor* response) {
  return calls_->RunRead(context, [this, request, response](const Principal&) {
    return registry_->GetActor(*request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::ListActors(CallbackServerContext* context,
                                                    const dsr::v1::ListActorsRequest* request,
                                                    dsr::v1::ListActorsResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal&) {
    return registry_->ListActors(*request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::RotateActorToken(
    CallbackServerContext* context, const dsr::v1::RotateActorTokenRequest* request,
    dsr::v1::RotateActorTokenResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->RotateActorToken(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::CreateHolding(CallbackServerContext* context,
                                                       const dsr::v1::CreateHoldingRequest* request,
                                                       dsr::v1::Holding* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->CreateHolding(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::GetHolding(CallbackServerContext* context,
                                                    const dsr::v1::GetHoldingRequest* request,
                                                    dsr::v1::Holding* response) {
  return calls_->RunRead(context, [this, request, response](const Principal&) {
    return registry_->GetHolding(*request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::ListHoldings(CallbackServerContext* context,
                                                      const dsr::v1::ListHoldingsRequest* request,
                                                      dsr::v1::ListHoldingsResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal&) {
    return registry_->ListHoldings(*request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::UpdateHolding(CallbackServerContext* context,
                                                       const dsr::v1::UpdateHoldingRequest* request,
                                                       dsr::v1::Holding* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->UpdateHolding(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::RetireHolding(CallbackServerContext* context,
                                                       const dsr::v1::RetireHoldingRequest* request,
                                                       dsr::v1::Holding* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->RetireHolding(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::CreateLink(CallbackServerContext* context,
                                                    const dsr::v1::CreateLinkRequest* request,
                                                    dsr::v1::Link* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->CreateLink(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::DeleteLink(CallbackServerContext* context,
                                                    const dsr::v1::DeleteLinkRequest* request,
                                                    google::protobuf::Empty* /*response*/) {
  return calls_->RunWrite(context, [this, request](const Principal& principal) {
    return registry_->DeleteLink(principal, *request);
  });
}

ServerUnaryReactor* RegistryGrpcService::AcceptLink(CallbackServerContext* context,
                                                    const dsr::v1::AcceptLinkRequest* request,
                                                    dsr::v1::Link* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->AcceptLink(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::RejectLink(CallbackServerContext* context,
                                                    const dsr::v1::RejectLinkRequest* request,
                                                    dsr::v1::Link* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return registry_->RejectLink(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::ListLinks(CallbackServerContext* context,
                                                   const dsr::v1::ListLinksRequest* request,
                                                   dsr::v1::ListLinksResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return registry_->ListLinks(principal, *request, response);
  });
}

ServerUnaryReactor* RegistryGrpcService::GetLineage(CallbackServerContext* context,
                                                    const dsr::v1::GetLineageRequest* request,
                                                    dsr::v1::GetLineageResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal&) {
    return registry_->GetLineage(*request, response);
  });
}

}  // namespace dsr::broker
