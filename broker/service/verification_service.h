#ifndef DSR_BROKER_SERVICE_VERIFICATION_SERVICE_H_
#define DSR_BROKER_SERVICE_VERIFICATION_SERVICE_H_

#include "broker/identity/attestor.h"
#include "broker/identity/verifications.h"
#include "broker/service/unary_call.h"
#include "dsr/v1/verification_service.grpc.pb.h"

namespace dsr::broker {

// gRPC glue for dsr.v1.VerificationService. No logic here.
class VerificationGrpcService final : public dsr::v1::VerificationService::CallbackService {
 public:
  // All must outlive the service.
  VerificationGrpcService(Verifications* verifications, const Attestor* attestor, UnaryCalls* calls)
      : verifications_(verifications), attestor_(attestor), calls_(calls) {}

  grpc::ServerUnaryReactor* CreateVerification(grpc::CallbackServerContext* context,
                                               const dsr::v1::CreateVerificationRequest* request,
                                               dsr::v1::Verification* response) override;
  grpc::ServerUnaryReactor* ConfirmVerification(
      grpc::CallbackServerContext* context, const dsr::v1::ConfirmVerificationRequest* request,
      dsr::v1::ConfirmVerificationResponse* response) override;
  grpc::ServerUnaryReactor* ListAttestationKeys(
      grpc::CallbackServerContext* context, const dsr::v1::ListAttestationKeysRequest* request,
      dsr::v1::ListAttestationKeysResponse* response) override;

 private:
  Verifications* const verifications_;
  const Attestor* const attestor_;
  UnaryCalls* const calls_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_VERIFICATION_SERVICE_H_
