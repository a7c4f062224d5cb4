#include "client/connection.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/grpc_status.h"
#include "dsr/v1/admin_service.grpc.pb.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "dsr/v1/verification_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace dsr::client {
namespace {

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ConnectionOptions& options) {
  if (!options.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options.tls_root_certs;
  ssl.pem_cert_chain = options.tls_cert_chain;
  ssl.pem_private_key = options.tls_private_key;
  return grpc::SslCredentials(ssl);
}

class GrpcConnection final : public Connection {
 public:
  explicit GrpcConnection(const ConnectionOptions& options)
      : options_(options),
        channel_(grpc::CreateChannel(options.broker, ChannelCredentials(options))),
        registry_(dsr::v1::RegistryService::NewStub(channel_)),
        requests_(dsr::v1::RequestService::NewStub(channel_)),
        verifications_(dsr::v1::VerificationService::NewStub(channel_)),
        inbox_(dsr::v1::InboxService::NewStub(channel_)),
        audit_(dsr::v1::AuditService::NewStub(channel_)),
        admin_(dsr::v1::AdminService::NewStub(channel_)) {}
  absl::StatusOr<dsr::v1::CreateActorResponse> CreateActor(
      const dsr::v1::CreateActorRequest& request) override {
    return Call<dsr::v1::CreateActorResponse>(&dsr::v1::RegistryService::Stub::CreateActor,
                                              registry_.get(), request);
  }
  absl::StatusOr<dsr::v1::Actor> GetActor(const dsr::v1::GetActorRequest& request) override {
    return Call<dsr::v1::Actor>(&dsr::v1::RegistryService::Stub::GetActor, registry_.get(),
                                request);
  }
  absl::StatusOr<dsr::v1::ListActorsResponse> ListActors(
      const dsr::v1::ListActorsRequest& request) override {
    return Call<dsr::v1::ListActorsResponse>(&dsr::v1::RegistryService::Stub::ListActors,
                                             registry_.get(), request);
  }
  absl::StatusOr<dsr::v1::RotateActorTokenResponse> RotateActorToken(
      const dsr::v1::RotateActorTokenRequest& request) override {
    return Call<dsr::v1::RotateActorTokenResponse>(
        &dsr::v1::RegistryService::Stub::RotateActorToken, registry_.get(), request);
  }
  absl::StatusOr<dsr::v1::Holding> CreateHolding(
      const dsr::v1::CreateHoldingRequest& request) override {
    return Call<dsr::v1::Holding>(&dsr::v1::RegistryService::Stub::CreateHolding, registry_.get(),
                                  request);
  }
  absl::StatusOr<dsr::v1::Holding> GetHolding(const dsr::v1::GetHoldingRequest& request) override {
    return Call<dsr::v1::Holding>(&dsr::v1::RegistryService::Stub::GetHolding, registry_.get(),
                                  request);
  }
  absl::StatusOr<dsr::v1::ListHoldingsResponse> ListHoldings(
      const dsr::v1::ListHoldingsRequest& request) override {
    return Call<dsr::v1::ListHoldingsResponse>(&dsr::v1::RegistryService::Stub::ListHoldings,
                                               registry_.get(), request);
  }
  absl::StatusOr<dsr::v1::Holding> UpdateHolding(
      const dsr::v1::UpdateHoldingRequest& request) override {
    return Call<dsr::v1::Holding>(&dsr::v1::RegistryService::Stub::UpdateHolding, registry_.get(),
                                  request);
  }
  absl::StatusOr<dsr::v1::Holding> RetireHolding(
      const dsr::v1::RetireHoldingRequest& request) override {
    return Call<dsr::v1::Holding>(&dsr::v1::RegistryService::Stub::RetireHolding, registry_.get(),
                                  request);
  }
  absl::StatusOr<dsr::v1::Link> CreateLink(const dsr::v1::CreateLinkRequest& request) override {
    return Call<dsr::v1::Link>(&dsr::v1::RegistryService::Stub::CreateLink, registry_.get(),
                               request);
  }
  absl::StatusOr<dsr::v1::Link> AcceptLink(const dsr::v1::AcceptLinkRequest& request) override {
    return Call<dsr::v1::Link>(&dsr::v1::RegistryService::Stub::AcceptLink, registry_.get(),
                               request);
  }
  absl::StatusOr<dsr::v1::Link> RejectLink(const dsr::v1::RejectLinkRequest& request) override {
    return Call<dsr::v1::Link>(&dsr::v1::RegistryService::Stub::RejectLink, registry_.get(),
                               request);
  }
  absl::StatusOr<dsr::v1::ListLinksResponse> ListLinks(
      const dsr::v1::ListLinksRequest& request) override {
    return Call<dsr::v1::ListLinksResponse>(&dsr::v1::RegistryService::Stub::ListLinks,
                                            registry_.get(), request);
  }
  absl::StatusOr<dsr::v1::GetLineageResponse> GetLineage(
      const dsr::v1::GetLineageRequest& request) override {
    return Call<dsr::v1::GetLineageResponse>(&dsr::v1::RegistryService::Stub::GetLineage,
                                             registry_.get(), request);
  }
  absl::StatusOr<dsr::v1::SubmitRequestResponse> SubmitRequest(
      const dsr::v1::SubmitRequestRequest& request) override {
    return Call<dsr::v1::SubmitRequestResponse>(&dsr::v1::RequestService::Stub::SubmitRequest,
                                                requests_.get(), request);
  }
  absl::StatusOr<dsr::v1::GetRequestResponse> GetRequest(
      const dsr::v1::GetRequestRequest& request) override {
    return Call<dsr::v1::GetRequestResponse>(&dsr::v1::RequestService::Stub::GetRequest,
                                             requests_.get(), request);
  }
  absl::StatusOr<dsr::v1::GetRequestResponse> CancelRequest(
      const dsr::v1::CancelRequestRequest& request) override {
    return Call<dsr::v1::GetRequestResponse>(&dsr::v1::RequestService::Stub::CancelRequest,
                                             requests_.get(), request);
  }
  absl::StatusOr<dsr::v1::GetAccessReportResponse> GetAccessReport(
      const dsr::v1::GetAccessReportRequest& request) override {
    return Call<dsr::v1::GetAccessReportResponse>(&dsr::v1::RequestService::Stub::GetAccessReport,
                                                  requests_.get(), request);
  }
  absl::StatusOr<dsr::v1::GetRequestResponse> ConfirmIdentity(
      const dsr::v1::ConfirmIdentityRequest& request) override {
    return Call<dsr::v1::GetRequestResponse>(&dsr::v1::RequestService::Stub::ConfirmIdentity,
                                             requests_.get(), request);
  }
  absl::StatusOr<dsr::v1::Task> RequestIdentity(
      const dsr::v1::RequestIdentityRequest& request) override {
    return Call<dsr::v1::Task>(&dsr::v1::InboxService::Stub::RequestIdentity, inbox_.get(),
                               request);
  }
  absl::StatusOr<dsr::v1::ListRequestsResponse> ListRequests(
      const dsr::v1::ListRequestsRequest& request) override {
    return Call<dsr::v1::ListRequestsResponse>(&dsr::v1::RequestService::Stub::ListRequests,
                                               requests_.get(), request);
  }
  absl::StatusOr<dsr::v1::Verification> CreateVerification(
      const dsr::v1::CreateVerificationRequest& request) override {
    return Call<dsr::v1::Verification>(&dsr::v1::VerificationService::Stub::CreateVerification,
                                       verifications_.get(), request);
  }
  absl::StatusOr<dsr::v1::ConfirmVerificationResponse> ConfirmVerification(
      const dsr::v1::ConfirmVerificationRequest& request) override {
    return Call<dsr::v1::ConfirmVerificationResponse>(
        &dsr::v1::VerificationService::Stub::ConfirmVerification, verifications_.get(), request);
  }
  absl::StatusOr<dsr::v1::ListAttestationKeysResponse> ListAttestationKeys(
      const dsr::v1::ListAttestationKeysRequest& request) override {
    return Call<dsr::v1::ListAttestationKeysResponse>(
        &dsr::v1::VerificationService::Stub::ListAttestationKeys, verifications_.get(), request);
  }
  absl::StatusOr<dsr::v1::CommitInboxResponse> CommitInbox(
      const dsr::v1::CommitInboxRequest& request) override {
    return Call<dsr::v1::CommitInboxResponse>(&dsr::v1::InboxService::Stub::CommitInbox,
                                              inbox_.get(), request);
  }
  absl::StatusOr<dsr::v1::ListTasksResponse> ListTasks(
      const dsr::v1::ListTasksRequest& request) override {
    return Call<dsr::v1::ListTasksResponse>(&dsr::v1::InboxService::Stub::ListTasks, inbox_.get(),
                                            request);
  }
  absl::StatusOr<dsr::v1::Task> GetTask(const dsr::v1::GetTaskRequest& request) override {
    return Call<dsr::v1::Task>(&dsr::v1::InboxService::Stub::GetTask, inbox_.get(), request);
  }
  absl::StatusOr<dsr::v1::Task> AcknowledgeTask(
      const dsr::v1::AcknowledgeTaskRequest& request) override {
    return Call<dsr::v1::Task>(&dsr::v1::InboxService::Stub::AcknowledgeTask, inbox_.get(),
                               request);
  }
  absl::StatusOr<dsr::v1::Task> CompleteTask(const dsr::v1::CompleteTaskRequest& request) override {
    return Call<dsr::v1::Task>(&dsr::v1::InboxService::Stub::CompleteTask, inbox_.get(), request);
  }
  absl::StatusOr<dsr::v1::Task> RefuseTask(const dsr::v1::RefuseTaskRequest& request) override {
    return Call<dsr::v1::Task>(&dsr::v1::InboxService::Stub::RefuseTask, inbox_.get(), request);
  }
  absl::StatusOr<dsr::v1::Task> ExtendTask(const dsr::v1::ExtendTaskRequest& request) override {
    return Call<dsr::v1::Task>(&dsr::v1::InboxService::Stub::ExtendTask, inbox_.get(), request);
  }
  absl::StatusOr<dsr::v1::ListAuditEventsResponse> ListAuditEvents(
      const dsr::v1::ListAuditEventsRequest& request) override {
    return Call<dsr::v1::ListAuditEventsResponse>(&dsr::v1::AuditService::Stub::ListAuditEvents,
                                                  audit_.get(), request);
  }
  absl::StatusOr<dsr::v1::VerifyAuditLogResponse> VerifyAuditLog(
      const dsr::v1::VerifyAuditLogRequest& request) override {
    return Call<dsr::v1::VerifyAuditLogResponse>(&dsr::v1::AuditService::Stub::VerifyAuditLog,
                                                 audit_.get(), request);
  }
  absl::StatusOr<dsr::v1::Backup> CreateBackup(
      const dsr::v1::CreateBackupRequest& request) override {
    return Call<dsr::v1::Backup>(&dsr::v1::AdminService::Stub::CreateBackup, admin_.get(), request);
  }
  absl::StatusOr<dsr::v1::ListBackupsResponse> ListBackups(
      const dsr::v1::ListBackupsRequest& request) override {
    return Call<dsr::v1::ListBackupsResponse>(&dsr::v1::AdminService::Stub::ListBackups,
                                              admin_.get(), request);
  }
  absl::StatusOr<dsr::v1::VerifyBackupResponse> VerifyBackup(
      const dsr::v1::VerifyBackupRequest& request) override {
    return Call<dsr::v1::VerifyBackupResponse>(&dsr::v1::AdminService::Stub::VerifyBackup,
                                               admin_.get(), request);
  }
  absl::Status DeleteLink(const dsr::v1::DeleteLinkRequest& request) override {
    return Call<google::protobuf::Empty>(&dsr::v1::RegistryService::Stub::DeleteLink,
                                         registry_.get(), request)
        .status();
  }

  absl::Status StreamInbox(
      const dsr::v1::StreamInboxRequest& request,
      const std::function<bool(const dsr::v1::InboxEvent&)>& on_event) override {
    grpc::ClientContext context;
    Authorize(&context);
    std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> reader =
        inbox_->StreamInbox(&context, request);
    dsr::v1::InboxEvent event;
    while (reader->Read(&event)) {
      if (!on_event(event)) {
        context.TryCancel();
        reader->Finish().ok();  // the cancellation's status says nothing new
        return absl::OkStatus();
      }
    }
    return FromGrpcStatus(reader->Finish(), options_.broker);
  }

 private:
  void Authorize(grpc::ClientContext* context) const {
    if (!options_.token.empty()) context->AddMetadata("authorization", "Bearer " + options_.token);
  }

  template <typename Response, typename Stub, typename Request>
  absl::StatusOr<Response> Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                                Stub* stub, const Request& request) {
    grpc::ClientContext context;
    Authorize(&context);
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
    Response response;
    grpc::Status status = (stub->*method)(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status, options_.broker);
    return response;
  }

  const ConnectionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<dsr::v1::RegistryService::Stub> registry_;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
  std::unique_ptr<dsr::v1::VerificationService::Stub> verifications_;
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox_;
  std::unique_ptr<dsr::v1::AuditService::Stub> audit_;
  std::unique_ptr<dsr::v1::AdminService::Stub> admin_;
};

}  // namespace

absl::Status LoadTlsFiles(const std::string& ca_path, const std::string& cert_path,
                          const std::string& key_path, ConnectionOptions* options) {
  if (cert_path.empty() != key_path.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  const auto read = [](const std::string& path, std::string* out) {
    if (path.empty()) return absl::OkStatus();
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    if (!in || contents.str().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
    }
    *out = contents.str();
    return absl::OkStatus();
  };
  absl::Status status = read(ca_path, &options->tls_root_certs);
  if (status.ok()) status = read(cert_path, &options->tls_cert_chain);
  if (status.ok()) status = read(key_path, &options->tls_private_key);
  if (!status.ok()) return status;
  if (!ca_path.empty() || !cert_path.empty()) options->tls = true;
  return absl::OkStatus();
}

std::unique_ptr<Connection> MakeConnection(const ConnectionOptions& options) {
  return std::make_unique<GrpcConnection>(options);
}

}  // namespace dsr::client
