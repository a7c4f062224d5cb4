#ifndef DSR_BROKER_SERVICE_REQUEST_SERVICE_H_
#define DSR_BROKER_SERVICE_REQUEST_SERVICE_H_

#include "broker/requests/requests.h"
#include "broker/service/unary_call.h"
#include "dsr/v1/request_service.grpc.pb.h"

namespace dsr::broker {

// gRPC glue for dsr.v1.RequestService. No logic here.
class RequestGrpcService final : public dsr::v1::RequestService::CallbackService {
 public:
  // Both must outlive the service.
  RequestGrpcService(Requests* requests, UnaryCalls* calls) : requests_(requests), calls_(calls) {}

  grpc::ServerUnaryReactor* SubmitRequest(grpc::CallbackServerContext* context,
                                          const dsr::v1::SubmitRequestRequest* request,
                                          dsr::v1::SubmitRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetRequest(grpc::CallbackServerContext* context,
                                       const dsr::v1::GetRequestRequest* request,
                                       dsr::v1::GetRequestResponse* response) override;
  grpc::ServerUnaryReactor* CancelRequest(grpc::CallbackServerContext* context,
                                          const dsr::v1::CancelRequestRequest* request,
                                          dsr::v1::GetRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetAccessReport(grpc::CallbackServerContext* context,
                                            const dsr::v1::GetAccessReportRequest* request,
                                            dsr::v1::GetAccessReportResponse* response) override;

  grpc::ServerUnaryReactor* ConfirmIdentity(grpc::CallbackServerContext* context,
                                            const dsr::v1::ConfirmIdentityRequest* request,
                                            dsr::v1::GetRequestResponse* response) override;
  grpc::ServerUnaryReactor* ListRequests(grpc::CallbackServerContext* context,
                                         const dsr::v1::ListRequestsRequest* request,
                                         dsr::v1::ListRequestsResponse* response) override;

 private:
  Requests* const requests_;
  UnaryCalls* const calls_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_REQUEST_SERVICE_H_
