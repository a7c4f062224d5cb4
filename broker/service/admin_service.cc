#include "broker/service/admin_service.h"

namespace dsr::broker {

grpc::ServerUnaryReactor* AdminGrpcService::CreateBackup(
    grpc::CallbackServerContext* context, const dsr::v1::CreateBackupRequest* request,
    dsr::v1::Backup* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return backups_->CreateBackup(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* AdminGrpcService::ListBackups(grpc::CallbackServerContext* context,
                                                        const dsr::v1::ListBackupsRequest* request,
                                                        dsr::v1::ListBackupsResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return backups_->ListBackups(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* AdminGrpcService::VerifyBackup(
    grpc::CallbackServerContext* context, const dsr::v1::VerifyBackupRequest* request,
    dsr::v1::VerifyBackupResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return backups_->VerifyBackup(principal, *request, response);
  });
}

}  // namespace dsr::broker
