#ifndef DSR_BROKER_SERVICE_AUDIT_SERVICE_H_
#define DSR_BROKER_SERVICE_AUDIT_SERVICE_H_

#include "broker/audit/audit_log.h"
#include "broker/service/unary_call.h"
#include "dsr/v1/audit_service.grpc.pb.h"

namespace dsr::broker {

// gRPC glue for dsr.v1.AuditService. No logic here.
class AuditGrpcService final : public dsr::v1::AuditService::CallbackService {
 public:
  // Both must outlive the service.
  AuditGrpcService(const AuditLog* log, UnaryCalls* calls) : log_(log), calls_(calls) {}

  grpc::ServerUnaryReactor* ListAuditEvents(grpc::CallbackServerContext* context,
                                            const dsr::v1::ListAuditEventsRequest* request,
                                            dsr::v1::ListAuditEventsResponse* response) override;
  grpc::ServerUnaryReactor* VerifyAuditLog(grpc::CallbackServerContext* context,
                                           const dsr::v1::VerifyAuditLogRequest* request,
                                           dsr::v1::VerifyAuditLogResponse* response) override;

 private:
  const AuditLog* const log_;
  UnaryCalls* const calls_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_AUDIT_SERVICE_H_
