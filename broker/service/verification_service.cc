#include "broker/service/verification_service.h"

namespace dsr::broker {

grpc::ServerUnaryReactor* VerificationGrpcService::CreateVerification(
    grpc::CallbackServerContext* context, const dsr::v1::CreateVerificationRequest* request,
    dsr::v1::Verification* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return verifications_->Start(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* VerificationGrpcService::ConfirmVerification(
    grpc::CallbackServerContext* context, const dsr::v1::ConfirmVerificationRequest* request,
    dsr::v1::ConfirmVerificationResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return verifications_->Confirm(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* VerificationGrpcService::ListAttestationKeys(
    grpc::CallbackServerContext* context, const dsr::v1::ListAttestationKeysRequest* request,
    dsr::v1::ListAttestationKeysResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal&) {
    return attestor_->ListKeys(*request, response);
  });
}

}  // namespace dsr::broker
