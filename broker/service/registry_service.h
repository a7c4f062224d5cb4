#ifndef DSR_BROKER_SERVICE_REGISTRY_SERVICE_H_
#define DSR_BROKER_SERVICE_REGISTRY_SERVICE_H_

#include "broker/registry/registry.h"
#include "broker/service/unary_call.h"
#include "dsr/v1/registry_service.grpc.pb.h"

namespace dsr::broker {

// gRPC glue for dsr.v1.RegistryService: each method hands the request to
// Registry through UnaryCalls. No logic here.
class RegistryGrpcService final : public dsr::v1::RegistryService::CallbackService {
 public:
  // Both must outlive the service.
  RegistryGrpcService(Registry* registry, UnaryCalls* calls) : registry_(registry), calls_(calls) {}

  grpc::ServerUnaryReactor* CreateActor(grpc::CallbackServerContext* context,
                                        const dsr::v1::CreateActorRequest* request,
                                        dsr::v1::CreateActorResponse* response) override;
  grpc::ServerUnaryReactor* GetActor(grpc::CallbackServerContext* context,
                                     const dsr::v1::GetActorRequest* request,
                                     dsr::v1::Actor* response) override;
  grpc::ServerUnaryReactor* ListActors(grpc::CallbackServerContext* context,
                                       const dsr::v1::ListActorsRequest* request,
                                       dsr::v1::ListActorsResponse* response) override;
  grpc::ServerUnaryReactor* RotateActorToken(grpc::CallbackServerContext* context,
                                             const dsr::v1::RotateActorTokenRequest* request,
                                             dsr::v1::RotateActorTokenResponse* response) override;
  grpc::ServerUnaryReactor* CreateHolding(grpc::CallbackServerContext* context,
                                          const dsr::v1::CreateHoldingRequest* request,
                                          dsr::v1::Holding* response) override;
  grpc::ServerUnaryReactor* GetHolding(grpc::CallbackServerContext* context,
                                       const dsr::v1::GetHoldingRequest* request,
                                       dsr::v1::Holding* response) override;
  grpc::ServerUnaryReactor* ListHoldings(grpc::CallbackServerContext* context,
                                         const dsr::v1::ListHoldingsRequest* request,
                                         dsr::v1::ListHoldingsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateHolding(grpc::CallbackServerContext* context,
                                          const dsr::v1::UpdateHoldingRequest* request,
                                          dsr::v1::Holding* response) override;
  grpc::ServerUnaryReactor* RetireHolding(grpc::CallbackServerContext* context,
                                          const dsr::v1::RetireHoldingRequest* request,
                                          dsr::v1::Holding* response) override;
  grpc::ServerUnaryReactor* CreateLink(grpc::CallbackServerContext* context,
                                       const dsr::v1::CreateLinkRequest* request,
                                       dsr::v1::Link* response) override;
  grpc::ServerUnaryReactor* DeleteLink(grpc::CallbackServerContext* context,
                                       const dsr::v1::DeleteLinkRequest* request,
                                       google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* AcceptLink(grpc::CallbackServerContext* context,
                                       const dsr::v1::AcceptLinkRequest* request,
                                       dsr::v1::Link* response) override;
  grpc::ServerUnaryReactor* RejectLink(grpc::CallbackServerContext* context,
                                       const dsr::v1::RejectLinkRequest* request,
                                       dsr::v1::Link* response) override;
  grpc::ServerUnaryReactor* ListLinks(grpc::CallbackServerContext* context,
                                      const dsr::v1::ListLinksRequest* request,
                                      dsr::v1::ListLinksResponse* response) override;
  grpc::ServerUnaryReactor* GetLineage(grpc::CallbackServerContext* context,
                                       const dsr::v1::GetLineageRequest* request,
                                       dsr::v1::GetLineageResponse* response) override;

 private:
  Registry* const registry_;
  UnaryCalls* const calls_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_REGISTRY_SERVICE_H_
