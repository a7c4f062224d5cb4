#include "broker/service/request_service.h"

namespace dsr::broker {

grpc::ServerUnaryReactor* RequestGrpcService::SubmitRequest(
    grpc::CallbackServerContext* context, const dsr::v1::SubmitRequestRequest* request,
    dsr::v1::SubmitRequestResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return requests_->Submit(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* RequestGrpcService::GetRequest(grpc::CallbackServerContext* context,
                                                         const dsr::v1::GetRequestRequest* request,
                                                         dsr::v1::GetRequestResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return requests_->Get(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* RequestGrpcService::CancelRequest(
    grpc::CallbackServerContext* context, const dsr::v1::CancelRequestRequest* request,
    dsr::v1::GetRequestResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return requests_->Cancel(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* RequestGrpcService::GetAccessReport(
    grpc::CallbackServerContext* context, const dsr::v1::GetAccessReportRequest* request,
    dsr::v1::GetAccessReportResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return requests_->GetAccessReport(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* RequestGrpcService::ConfirmIdentity(
    grpc::CallbackServerContext* context, const dsr::v1::ConfirmIdentityRequest* request,
    dsr::v1::GetRequestResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return requests_->ConfirmIdentity(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* RequestGrpcService::ListRequests(
    grpc::CallbackServerContext* context, const dsr::v1::ListRequestsRequest* request,
    dsr::v1::ListRequestsResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return requests_->List(principal, *request, response);
  });
}

}  // namespace dsr::broker
