#ifndef DSR_BROKER_IDENTITY_VERIFICATIONS_H_
#define DSR_BROKER_IDENTITY_VERIFICATIONS_H_

// Proving control of identifiers (VerificationService, docs/IDENTITY.md):
// one-time codes by email or text message, challenges served on a web site,
// and the short-lived verification tokens they give, which a submission
// spends. gRPC-free domain logic; thread-safe.
//
// Nothing secret or personal is stored in the clear: identifiers as their
// keyed pseudonym, codes, challenges and tokens as keyed digests bound to
// their record. The address a code goes to is held only in memory, until
// the message is sent. Every change goes through the journal, with an audit
// entry that names the verification and nothing of the person.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/access/rate_limiter.h"
#include "broker/base/limits.h"
#include "broker/base/principal.h"
#include "broker/journal/journal.h"
#include "broker/notify/message_sender.h"
#include "broker/privacy/pseudonyms.h"
#include "dsr/storage/v1/request_records.pb.h"
#include "dsr/v1/verification_service.pb.h"
#include "storage/store.h"

namespace dsr::broker {

// Fetches a web page for the HTTP challenge: the body of `url` (https), at
// most `max_bytes`; UNAVAILABLE or FAILED_PRECONDITION with a reason the
// person can act on.
class ChallengeFetcher {
 public:
  virtual ~ChallengeFetcher() = default;
  virtual absl::StatusOr<std::string> Fetch(const std::string& url, size_t max_bytes) = 0;
};

struct VerificationsOptions {
  // REQUIRED, each; all must outlive the Verifications.
  storage::Store* store = nullptr;
  Journal* journal = nullptr;
  const Pseudonyms* pseudonyms = nullptr;
  // The channels. A null one means the broker cannot verify that type.
  MessageSender* email = nullptr;
  MessageSender* phone = nullptr;
  ChallengeFetcher* web = nullptr;
  // Optional limits: CreateVerification per client address and per
  // identifier (codes sent to one address, whoever asks), and
  // ConfirmVerification per client address.
  RateLimiter* starts_per_address = nullptr;
  RateLimiter* starts_per_identifier = nullptr;
  RateLimiter* confirms_per_address = nullptr;
  // How long a code or challenge may be confirmed, how many wrong codes it
  // takes, and how long the token it gives lasts.
  absl::Duration code_lifetime = absl::Minutes(10);
  int code_attempts = 5;
  absl::Duration token_lifetime = absl::Minutes(30);
  Limits limits;
};

// An identifier of a submission proved by a verification token.
struct Proof {
  // dsr.v1.VerificationMethod value.
  int method = 0;
  absl::Time verify_time;
};

class Verifications {
 public:
  // INVALID_ARGUMENT when a required option is missing or a duration is not
  // positive.
  static absl::StatusOr<std::unique_ptr<Verifications>> Create(const VerificationsOptions& options);
  Verifications(const Verifications&) = delete;
  Verifications& operator=(const Verifications&) = delete;

  // Open to anyone.
  absl::Status Start(const Principal& principal, const dsr::v1::CreateVerificationRequest& request,
                     dsr::v1::Verification* response);
  absl::Status Confirm(const Principal& principal,
                       const dsr::v1::ConfirmVerificationRequest& request,
                       dsr::v1::ConfirmVerificationResponse* response);

  // Within `mutation` (a submission's): spends `tokens` (field
  // `verification_tokens`), each of which must prove one of `subject`'s
  // identifiers. Returns, per identifier of `subject`, its proof or nullopt.
  // FAILED_PRECONDITION for a token that is unknown, expired or spent;
  // INVALID_ARGUMENT for one that proves an identifier `subject` does not
  // name, or two tokens for one identifier.
  absl::StatusOr<std::vector<std::optional<Proof>>> Spend(
      Journal::Mutation& mutation, const google::protobuf::RepeatedPtrField<std::string>& tokens,
      const dsr::storage::v1::SubjectRecord& subject) const;

  // What `tokens` prove at `now`, as Spend says, without spending them: for
  // the work a submission does before it takes the journal's lock.
  absl::StatusOr<std::vector<std::optional<Proof>>> Peek(
      const google::protobuf::RepeatedPtrField<std::string>& tokens,
      const dsr::storage::v1::SubjectRecord& subject, absl::Time now) const;

  // The identifier proved by `token` (not spent), as its type and
  // pseudonym, for ListRequests; FAILED_PRECONDITION as in Spend.
  struct Holder {
    int type = 0;
    std::string pseudonym;
  };
  absl::StatusOr<Holder> Check(absl::string_view token, absl::Time now) const;

  // Deletes verifications and tokens that expired before `now`, at most
  // `max_records` of each; returns how many.
  absl::StatusOr<int> PurgeExpired(absl::Time now, int max_records);

 private:
  explicit Verifications(const VerificationsOptions& options) : options_(options) {}
  // Stores a new verification `id` of `identifier` whose secret is
  // `secret`, and fills `response`.
  absl::Status Begin(absl::string_view id, const dsr::v1::SubjectIdentifier& identifier,
                     const std::string& pseudonym, int method, absl::string_view secret,
                     const Principal& principal, dsr::v1::Verification* response);
  absl::Status StartCode(const dsr::v1::SubjectIdentifier& identifier, int method,
                         MessageSender* channel, const std::string& pseudonym,
                         absl::string_view language, const Principal& principal,
                         dsr::v1::Verification* response);
  absl::Status StartChallenge(const dsr::v1::SubjectIdentifier& identifier,
                              const std::string& pseudonym, const Principal& principal,
                              dsr::v1::Verification* response);
  absl::StatusOr<std::vector<std::optional<Proof>>> Match(
      const storage::Store& store, absl::Time now,
      const google::protobuf::RepeatedPtrField<std::string>& tokens,
      const dsr::storage::v1::SubjectRecord& subject, std::vector<std::string>* keys) const;
  std::string TokenDigest(absl::string_view token) const;
  std::string SecretDigest(absl::string_view verification_id, absl::string_view secret) const;

  const VerificationsOptions options_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_IDENTITY_VERIFICATIONS_H_
