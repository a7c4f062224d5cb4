#ifndef DSR_BROKER_SERVICE_ADMIN_SERVICE_H_
#define DSR_BROKER_SERVICE_ADMIN_SERVICE_H_

#include "broker/backups/backup_admin.h"
#include "broker/service/unary_call.h"
#include "dsr/v1/admin_service.grpc.pb.h"

namespace dsr::broker {

// gRPC glue for dsr.v1.AdminService. No logic here.
class AdminGrpcService final : public dsr::v1::AdminService::CallbackService {
 public:
  // Both must outlive the service.
  AdminGrpcService(BackupAdmin* backups, UnaryCalls* calls) : backups_(backups), calls_(calls) {}

  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const dsr::v1::CreateBackupRequest* request,
                                         dsr::v1::Backup* response) override;
  grpc::ServerUnaryReactor* ListBackups(grpc::CallbackServerContext* context,
                                        const dsr::v1::ListBackupsRequest* request,
                                        dsr::v1::ListBackupsResponse* response) override;
  grpc::ServerUnaryReactor* VerifyBackup(grpc::CallbackServerContext* context,
                                         const dsr::v1::VerifyBackupRequest* request,
                                         dsr::v1::VerifyBackupResponse* response) override;

 private:
  BackupAdmin* const backups_;
  UnaryCalls* const calls_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_ADMIN_SERVICE_H_
