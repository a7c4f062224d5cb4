#ifndef DSR_CLIENT_CONNECTION_H_
#define DSR_CLIENT_CONNECTION_H_

// The client library's seam: every broker RPC as a virtual method returning
// absl::StatusOr, so that callers (the `dsr` command line, integrators) can
// be tested against a fake. MakeConnection() gives the real one, over gRPC,
// with credentials and deadlines handled in one place. Implementations are
// thread-safe.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dsr/v1/admin_service.pb.h"
#include "dsr/v1/audit_service.pb.h"
#include "dsr/v1/inbox_service.pb.h"
#include "dsr/v1/registry_service.pb.h"
#include "dsr/v1/request_service.pb.h"
#include "dsr/v1/verification_service.pb.h"
#include "google/protobuf/empty.pb.h"

namespace dsr::client {

struct ConnectionOptions {
  // Broker address, HOST:PORT. Default: 127.0.0.1:50051.
  std::string broker = "127.0.0.1:50051";
  // Bearer token sent with every call; none when empty.
  std::string token;
  // Deadline of each unary call. Default: 30 s.
  absl::Duration timeout = absl::Seconds(30);
  // TLS: connect over TLS when set. PEM contents, not paths (LoadTlsFiles
  // reads files). Empty root certificates: the system's trust store.
  bool tls = false;
  std::string tls_root_certs;
  // Mutual TLS: the client's certificate chain and private key. The broker
  // identifies an organisation by its certificate when no token is sent.
  std::string tls_cert_chain;
  std::string tls_private_key;
};

// Reads the PEM files named (empty paths are skipped) into `options` and
// turns TLS on if any is given. INVALID_ARGUMENT naming the file if one
// cannot be read, or if only one of `cert_path` and `key_path` is given.
absl::Status LoadTlsFiles(const std::string& ca_path, const std::string& cert_path,
                          const std::string& key_path, ConnectionOptions* options);

class Connection {
 public:
  virtual ~Connection() = default;

  // RegistryService.
  virtual absl::StatusOr<dsr::v1::CreateActorResponse> CreateActor(
      const dsr::v1::CreateActorRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Actor> GetActor(const dsr::v1::GetActorRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ListActorsResponse> ListActors(
      const dsr::v1::ListActorsRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::RotateActorTokenResponse> RotateActorToken(
      const dsr::v1::RotateActorTokenRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Holding> CreateHolding(
      const dsr::v1::CreateHoldingRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Holding> GetHolding(
      const dsr::v1::GetHoldingRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ListHoldingsResponse> ListHoldings(
      const dsr::v1::ListHoldingsRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Holding> UpdateHolding(
      const dsr::v1::UpdateHoldingRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Holding> RetireHolding(
      const dsr::v1::RetireHoldingRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Link> CreateLink(const dsr::v1::CreateLinkRequest& request) = 0;
  virtual absl::Status DeleteLink(const dsr::v1::DeleteLinkRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Link> AcceptLink(const dsr::v1::AcceptLinkRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Link> RejectLink(const dsr::v1::RejectLinkRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ListLinksResponse> ListLinks(
      const dsr::v1::ListLinksRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::GetLineageResponse> GetLineage(
      const dsr::v1::GetLineageRequest& request) = 0;

  // RequestService.
  virtual absl::StatusOr<dsr::v1::SubmitRequestResponse> SubmitRequest(
      const dsr::v1::SubmitRequestRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::GetRequestResponse> GetRequest(
      const dsr::v1::GetRequestRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::GetRequestResponse> CancelRequest(
      const dsr::v1::CancelRequestRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::GetAccessReportResponse> GetAccessReport(
      const dsr::v1::GetAccessReportRequest& request) = 0;

  // InboxService. StreamInbox calls `on_event` for each event until it
  // returns false or the stream ends; it has no deadline.
  virtual absl::Status StreamInbox(
      const dsr::v1::StreamInboxRequest& request,
      const std::function<bool(const dsr::v1::InboxEvent&)>& on_event) = 0;
  virtual absl::StatusOr<dsr::v1::CommitInboxResponse> CommitInbox(
      const dsr::v1::CommitInboxRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ListTasksResponse> ListTasks(
      const dsr::v1::ListTasksRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Task> GetTask(const dsr::v1::GetTaskRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Task> AcknowledgeTask(
      const dsr::v1::AcknowledgeTaskRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Task> CompleteTask(
      const dsr::v1::CompleteTaskRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Task> RefuseTask(const dsr::v1::RefuseTaskRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Task> ExtendTask(const dsr::v1::ExtendTaskRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::Task> RequestIdentity(
      const dsr::v1::RequestIdentityRequest& request) = 0;

  virtual absl::StatusOr<dsr::v1::ListRequestsResponse> ListRequests(
      const dsr::v1::ListRequestsRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::GetRequestResponse> ConfirmIdentity(
      const dsr::v1::ConfirmIdentityRequest& request) = 0;

  // VerificationService.
  virtual absl::StatusOr<dsr::v1::Verification> CreateVerification(
      const dsr::v1::CreateVerificationRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ConfirmVerificationResponse> ConfirmVerification(
      const dsr::v1::ConfirmVerificationRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ListAttestationKeysResponse> ListAttestationKeys(
      const dsr::v1::ListAttestationKeysRequest& request) = 0;

  // AuditService.
  virtual absl::StatusOr<dsr::v1::ListAuditEventsResponse> ListAuditEvents(
      const dsr::v1::ListAuditEventsRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::VerifyAuditLogResponse> VerifyAuditLog(
      const dsr::v1::VerifyAuditLogRequest& request) = 0;

  // AdminService. CreateBackup takes as long as copying what changed since
  // the last backup: raise ConnectionOptions::timeout for a large database.
  virtual absl::StatusOr<dsr::v1::Backup> CreateBackup(
      const dsr::v1::CreateBackupRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::ListBackupsResponse> ListBackups(
      const dsr::v1::ListBackupsRequest& request) = 0;
  virtual absl::StatusOr<dsr::v1::VerifyBackupResponse> VerifyBackup(
      const dsr::v1::VerifyBackupRequest& request) = 0;
};

// A connection to the broker at options.broker over gRPC (plaintext).
std::unique_ptr<Connection> MakeConnection(const ConnectionOptions& options);

}  // namespace dsr::client

#endif  // DSR_CLIENT_CONNECTION_H_
