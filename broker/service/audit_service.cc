#include "broker/service/audit_service.h"

namespace dsr::broker {

grpc::ServerUnaryReactor* AuditGrpcService::ListAuditEvents(
    grpc::CallbackServerContext* context, const dsr::v1::ListAuditEventsRequest* request,
    dsr::v1::ListAuditEventsResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return log_->ListAuditEvents(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* AuditGrpcService::VerifyAuditLog(
    grpc::CallbackServerContext* context, const dsr::v1::VerifyAuditLogRequest* request,
    dsr::v1::VerifyAuditLogResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return log_->VerifyAuditLog(principal, *request, response);
  });
}

}  // namespace dsr::broker
