#ifndef DSR_TESTS_CLIENT_FAKE_CONNECTION_H_
#define DSR_TESTS_CLIENT_FAKE_CONNECTION_H_

#include "client/connection.h"
#include "gmock/gmock.h"

namespace dsr::client {

// A Connection whose every call a test scripts with gmock.
class MockConnection : public Connection {
 public:
  MOCK_METHOD(absl::StatusOr<dsr::v1::CreateActorResponse>, CreateActor,
              (const dsr::v1::CreateActorRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Actor>, GetActor, (const dsr::v1::GetActorRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListActorsResponse>, ListActors,
              (const dsr::v1::ListActorsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::RotateActorTokenResponse>, RotateActorToken,
              (const dsr::v1::RotateActorTokenRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Holding>, CreateHolding,
              (const dsr::v1::CreateHoldingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Holding>, GetHolding, (const dsr::v1::GetHoldingRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListHoldingsResponse>, ListHoldings,
              (const dsr::v1::ListHoldingsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Holding>, UpdateHolding,
              (const dsr::v1::UpdateHoldingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Holding>, RetireHolding,
              (const dsr::v1::RetireHoldingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Link>, CreateLink, (const dsr::v1::CreateLinkRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteLink, (const dsr::v1::DeleteLinkRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Link>, AcceptLink, (const dsr::v1::AcceptLinkRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Link>, RejectLink, (const dsr::v1::RejectLinkRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListLinksResponse>, ListLinks,
              (const dsr::v1::ListLinksRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::GetLineageResponse>, GetLineage,
              (const dsr::v1::GetLineageRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::GetRequestResponse>, ConfirmIdentity,
              (const dsr::v1::ConfirmIdentityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Task>, RequestIdentity,
              (const dsr::v1::RequestIdentityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListRequestsResponse>, ListRequests,
              (const dsr::v1::ListRequestsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Verification>, CreateVerification,
              (const dsr::v1::CreateVerificationRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ConfirmVerificationResponse>, ConfirmVerification,
              (const dsr::v1::ConfirmVerificationRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListAttestationKeysResponse>, ListAttestationKeys,
              (const dsr::v1::ListAttestationKeysRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::SubmitRequestResponse>, SubmitRequest,
              (const dsr::v1::SubmitRequestRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::GetRequestResponse>, GetRequest,
              (const dsr::v1::GetRequestRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::GetRequestResponse>, CancelRequest,
              (const dsr::v1::CancelRequestRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::GetAccessReportResponse>, GetAccessReport,
              (const dsr::v1::GetAccessReportRequest&), (override));
  MOCK_METHOD(absl::Status, StreamInbox,
              (const dsr::v1::StreamInboxRequest&,
               const std::function<bool(const dsr::v1::InboxEvent&)>&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::CommitInboxResponse>, CommitInbox,
              (const dsr::v1::CommitInboxRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListTasksResponse>, ListTasks,
              (const dsr::v1::ListTasksRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Task>, GetTask, (const dsr::v1::GetTaskRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Task>, AcknowledgeTask,
              (const dsr::v1::AcknowledgeTaskRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Task>, CompleteTask, (const dsr::v1::CompleteTaskRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Task>, RefuseTask, (const dsr::v1::RefuseTaskRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Task>, ExtendTask, (const dsr::v1::ExtendTaskRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListAuditEventsResponse>, ListAuditEvents,
              (const dsr::v1::ListAuditEventsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::VerifyAuditLogResponse>, VerifyAuditLog,
              (const dsr::v1::VerifyAuditLogRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::Backup>, CreateBackup, (const dsr::v1::CreateBackupRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::ListBackupsResponse>, ListBackups,
              (const dsr::v1::ListBackupsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<dsr::v1::VerifyBackupResponse>, VerifyBackup,
              (const dsr::v1::VerifyBackupRequest&), (override));
};

}  // namespace dsr::client

#endif  // DSR_TESTS_CLIENT_FAKE_CONNECTION_H_
