#ifndef DSR_BROKER_REQUESTS_REQUESTS_H_
#define DSR_BROKER_REQUESTS_REQUESTS_H_

// Rights requests from the person's side (RequestService, SPEC §3-§5):
// submission with routing along the lineage, reading, withdrawal. gRPC-free
// domain logic; thread-safe. Every mutation takes the journal's mutation
// lock, writes the request, its tasks, their indexes, the holders' inbox
// events and the audit event in one synced batch.

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/access/rate_limiter.h"
#include "broker/base/clock.h"
#include "broker/base/limits.h"
#include "broker/base/principal.h"
#include "broker/identity/attestor.h"
#include "broker/identity/verifications.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/request_vault.h"
#include "broker/registry/graph.h"
#include "broker/requests/routing.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/request_service.pb.h"
#include "storage/store.h"

namespace dsr::broker {

struct RequestsOptions {
  // REQUIRED, each. All must outlive the Requests.
  storage::Store* store = nullptr;
  const Clock* clock = nullptr;
  Journal* journal = nullptr;
  InboxLog* inbox = nullptr;
  const ProvenanceGraph* graph = nullptr;
  // Encrypts personal data at rest.
  const RequestVault* vault = nullptr;
  // Keys the idempotency fingerprints of messages that carry personal data,
  // and the rate limits per subject.
  const Pseudonyms* pseudonyms = nullptr;
  // Optional: limits on SubmitRequest per client address (every call) and
  // per subject pseudonym (new requests, each identifier).
  RateLimiter* submits_per_address = nullptr;
  RateLimiter* submits_per_subject = nullptr;
  // Optional: limits on ListRequests per client address and per verified
  // identifier.
  RateLimiter* lookups_per_address = nullptr;
  RateLimiter* lookups_per_identifier = nullptr;
  // REQUIRED: spends the submissions' verification tokens, and signs what
  // they prove for the holders.
  Verifications* verifications = nullptr;
  const Attestor* attestor = nullptr;
  // Whether a request is filed only once the identity policy
  // (broker/requests/identity_policy.h) is met. Off only for a broker
  // behind an intake that verifies people itself (docs/IDENTITY.md).
  bool require_verification = true;
  Limits limits;
};

class Requests {
 public:
  static absl::StatusOr<std::unique_ptr<Requests>> Create(const RequestsOptions& options);

  Requests(const Requests&) = delete;
  Requests& operator=(const Requests&) = delete;

  // Open to anyone.
  absl::Status Submit(const Principal& principal, const dsr::v1::SubmitRequestRequest& request,
                      dsr::v1::SubmitRequestResponse* response);
  // The receipt holder of that request, or the admin. Anonymous callers get
  // UNAUTHENTICATED, actors PERMISSION_DENIED, other receipt holders
  // NOT_FOUND (as for a missing request).
  absl::Status Get(const Principal& principal, const dsr::v1::GetRequestRequest& request,
                   dsr::v1::GetRequestResponse* response) const;
  absl::Status Cancel(const Principal& principal, const dsr::v1::CancelRequestRequest& request,
                      dsr::v1::GetRequestResponse* response);
  // Same callers as Get. FAILED_PRECONDITION unless the request is ACCESS or
  // PORTABILITY.
  absl::Status GetAccessReport(const Principal& principal,
                               const dsr::v1::GetAccessReportRequest& request,
                               dsr::v1::GetAccessReportResponse* response) const;

  // Open to anyone with a verification token: the requests on which its
  // identifier was verified, each with a new receipt.
  absl::Status List(const Principal& principal, const dsr::v1::ListRequestsRequest& request,
                    dsr::v1::ListRequestsResponse* response);
  // Same callers as Get: fresh proof for the holders that asked for it.
  absl::Status ConfirmIdentity(const Principal& principal,
                               const dsr::v1::ConfirmIdentityRequest& request,
                               dsr::v1::GetRequestResponse* response);

 private:
  explicit Requests(const RequestsOptions& options) : options_(options) {}

  // Answers a retried SubmitRequest whose first call made `earlier` (a
  // request name): with the caller's own receipt (`client_receipt`, which
  // the fingerprint matched), or a new receipt for a caller whose key space
  // is its own; FAILED_PRECONDITION for an anonymous retry without one.
  // A new receipt is committed by `mutation` (the retry's).
  absl::Status ReissueReceipt(Journal::Mutation& mutation, const Principal& principal,
                              const std::string& earlier, const std::string& client_receipt,
                              dsr::v1::SubmitRequestResponse* response);
  // The request's record and tasks, in task order.
  absl::Status Read(absl::string_view request_id, dsr::storage::v1::RequestRecord* request,
                    std::vector<dsr::storage::v1::TaskRecord>* tasks) const;
  // Request id of `name` if `principal` may open it; the errors above if not.
  absl::StatusOr<std::string> Authorize(const Principal& principal, absl::string_view name) const;
  // The holding names a target (a holding or an actor) stands for.
  absl::StatusOr<std::vector<std::string>> ExpandTarget(const std::string& target,
                                                        absl::string_view field) const;
  // The person's view of the request (its personal data opened, unless the
  // caller has it in `subject`) and one page of its tasks: those after task
  // number `after`, at most `page_size` and about Limits::max_reply_bytes;
  // `*next_page_token` is set when more follow. The tasks' paths come from
  // `plan` when the caller has it (a new request), else from the store.
  absl::Status FillResponse(const dsr::storage::v1::RequestRecord& request,
                            const std::vector<dsr::storage::v1::TaskRecord>& tasks, uint64_t after,
                            int page_size, dsr::v1::Request* out_request,
                            google::protobuf::RepeatedPtrField<dsr::v1::Task>* out_tasks,
                            std::string* next_page_token,
                            const dsr::storage::v1::SubjectRecord* subject = nullptr,
                            const RoutePlan* plan = nullptr) const;

  const RequestsOptions options_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_REQUESTS_REQUESTS_H_
