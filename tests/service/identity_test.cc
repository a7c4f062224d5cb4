// Identity verification over a real gRPC connection to an in-process broker
// with the policy on: codes read from the fake mailbox, tokens spent at
// submit, attestations checked by the client library (docs/IDENTITY.md).

#include <map>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/core/broker_core.h"
#include "broker/lifecycle/notifier.h"
#include "broker/lifecycle/overdue.h"
#include "broker/lifecycle/retention.h"
#include "client/attestation.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "dsr/v1/verification_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using dsr::v1::SubjectIdentifier;
using grpc::StatusCode;

// Serves challenge pages from memory: url -> body.
class FakeWeb : public broker::ChallengeFetcher {
 public:
  absl::StatusOr<std::string> Fetch(const std::string& url, size_t) override {
    absl::MutexLock lock(&mu_);
    ++fetched_;
    auto it = pages_.find(url);
    if (it == pages_.end()) return absl::FailedPreconditionError("challenge_url answered HTTP 404");
    return it->second;
  }
  int fetched() {
    absl::MutexLock lock(&mu_);
    return fetched_;
  }
  void Serve(const std::string& url, const std::string& body) {
    absl::MutexLock lock(&mu_);
    pages_[url] = body;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::string> pages_ ABSL_GUARDED_BY(mu_);
  int fetched_ ABSL_GUARDED_BY(mu_) = 0;
};

// What the broker is started with; a base of its own, so that it exists
// before BrokerFixture starts the broker.
struct IdentitySetup {
  explicit IdentitySetup(bool limited) : limited_(limited) {}
  const bool limited_;
  std::shared_ptr<FakeWeb> web_ = std::make_shared<FakeWeb>();
};

class IdentityTest : protected IdentitySetup, public BrokerFixture {
 protected:
  explicit IdentityTest(bool limited = false)
      : IdentitySetup(limited), BrokerFixture([this](broker::BrokerServerOptions& options) {
          options.identity.require_verification = true;
          options.identity.web_fetcher = web_;
          options.identity.verify_web_sites = true;
          if (limited_) {
            options.rate_limits.verifications_per_identifier = {5.0 / 3600, 5};
            options.rate_limits.verifications_per_address = {10.0 / 3600, 10};
          }
        }) {}

  void SetUp() override {
    actor_token_ = CreateActor("acme");
    source_ = CreateHolding(actor_token_, "acme", "source");
    const std::string copy = CreateHolding(actor_token_, "acme", "copy");
    ASSERT_TRUE(CreateLink(actor_token_, copy, source_).ok());
    Connect();
  }
  void Connect() {
    verify_ = dsr::v1::VerificationService::NewStub(channel_);
    requests_ = dsr::v1::RequestService::NewStub(channel_);
    inbox_ = dsr::v1::InboxService::NewStub(channel_);
  }

  static SubjectIdentifier Id(SubjectIdentifier::Type type, const std::string& value) {
    SubjectIdentifier id;
    id.set_type(type);
    id.set_value(value);
    return id;
  }

  grpc::Status Start(const SubjectIdentifier& id, dsr::v1::Verification* out) {
    dsr::v1::CreateVerificationRequest request;
    *request.mutable_identifier() = id;
    return verify_->CreateVerification(Context().get(), request, out);
  }
  grpc::Status Confirm(const std::string& name, const std::string& code,
                       dsr::v1::ConfirmVerificationResponse* out) {
    dsr::v1::ConfirmVerificationRequest request;
    request.set_name(name);
    request.set_code(code);
    return verify_->ConfirmVerification(Context().get(), request, out);
  }
  // Verifies `address` through the fake mailbox; returns the token.
  std::string VerifyEmail(const std::string& address) {
    const size_t before = Sent();
    dsr::v1::Verification started;
    grpc::Status status = Start(Id(SubjectIdentifier::EMAIL, address), &started);
    EXPECT_TRUE(status.ok()) << status.error_message();
    const std::string code = mail_->CodeIn(before);
    dsr::v1::ConfirmVerificationResponse confirmed;
    status = Confirm(started.name(), code, &confirmed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return confirmed.verification_token();
  }
  size_t Sent() { return mail_->sent().size(); }
  // The messages the notifier sends now, as the sweep would.
  int DeliverDue() {
    absl::StatusOr<int> sent = server_->core().notifier().DeliverDue();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.value_or(-1);
  }

  dsr::v1::SubmitRequestRequest Access(const std::string& address,
                                       const std::vector<std::string>& tokens) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ACCESS);
    *request.mutable_request()->add_subject_identifiers() = Id(SubjectIdentifier::EMAIL, address);
    request.mutable_request()->add_targets(source_);
    for (const auto& t : tokens) request.add_verification_tokens(t);
    return request;
  }
  grpc::Status Submit(const dsr::v1::SubmitRequestRequest& request,
                      dsr::v1::SubmitRequestResponse* out = nullptr) {
    dsr::v1::SubmitRequestResponse ignored;
    return requests_->SubmitRequest(Context().get(), request, out != nullptr ? out : &ignored);
  }
  // Tasks in acme's inbox.
  std::vector<dsr::v1::Task> HolderTasks() {
    dsr::v1::ListTasksResponse listed;
    grpc::Status status =
        inbox_->ListTasks(Context(actor_token_).get(), dsr::v1::ListTasksRequest(), &listed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {listed.tasks().begin(), listed.tasks().end()};
  }
  std::vector<dsr::v1::AttestationKey> Keys() {
    dsr::v1::ListAttestationKeysResponse keys;
    EXPECT_TRUE(
        verify_->ListAttestationKeys(Context().get(), dsr::v1::ListAttestationKeysRequest(), &keys)
            .ok());
    return {keys.keys().begin(), keys.keys().end()};
  }

  std::string actor_token_;
  std::string source_;
  std::unique_ptr<dsr::v1::VerificationService::Stub> verify_;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox_;
};

TEST_F(IdentityTest, AVerifiedAccessRequestReachesEveryHolderWithAValidAttestation) {
  const std::string token = VerifyEmail("Alice@Example.org ");
  ASSERT_EQ(Sent(), 1u);
  EXPECT_EQ(mail_->sent()[0].to, "alice@example.org");
  EXPECT_NE(mail_->sent()[0].subject.find("verification code"), std::string::npos);
  ASSERT_TRUE(absl::StartsWith(token, "dsr_verified_"));

  dsr::v1::SubmitRequestResponse submitted;
  grpc::Status status = Submit(Access("alice@example.org", {token}), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(submitted.tasks_size(), 2);

  const std::vector<dsr::v1::AttestationKey> keys = Keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].algorithm(), "Ed25519");
  EXPECT_EQ(keys[0].public_key().size(), 32u);
  std::vector<dsr::v1::Task> tasks = HolderTasks();
  ASSERT_EQ(tasks.size(), 2u);
  for (const dsr::v1::Task& task : tasks) {
    dsr::v1::AttestationStatement statement;
    absl::Status checked = client::CheckAttestation(task, keys, &statement);
    ASSERT_TRUE(checked.ok()) << checked;
    EXPECT_EQ(statement.request(), submitted.request().name());
    EXPECT_EQ(statement.request_type(), dsr::v1::ACCESS);
    ASSERT_EQ(statement.verified_identifiers_size(), 1);
    EXPECT_EQ(statement.verified_identifiers(0).identifier().value(), "alice@example.org");
    EXPECT_EQ(statement.verified_identifiers(0).method(), dsr::v1::EMAIL_CODE);
  }
  // The person's view carries no attestation (the holders' does).
  EXPECT_FALSE(submitted.tasks(0).has_attestation());

  // A tampered statement, a forged signature or another key fail the check.
  dsr::v1::Task tampered = tasks[0];
  std::string statement = tampered.attestation().statement();
  statement[statement.size() / 2] ^= 1;
  tampered.mutable_attestation()->set_statement(statement);
  EXPECT_TRUE(absl::IsDataLoss(client::CheckAttestation(tampered, keys)));
  tampered = tasks[0];
  std::string signature = tampered.attestation().signature();
  signature[0] ^= 1;
  tampered.mutable_attestation()->set_signature(signature);
  EXPECT_TRUE(absl::IsDataLoss(client::CheckAttestation(tampered, keys)));
  dsr::v1::AttestationKey other = keys[0];
  other.mutable_public_key()->assign(32, 'x');
  EXPECT_FALSE(client::CheckAttestation(tasks[0], {other}).ok());
  // An attestation moved onto a task of another request does not fit it.
  tampered = tasks[0];
  tampered.set_name("requests/someoneelse/tasks/1");
  EXPECT_TRUE(absl::IsFailedPrecondition(client::CheckAttestation(tampered, keys)));
  // The key survives a restart: old attestations still check.
  Restart();
  Connect();
  EXPECT_EQ(Keys()[0].public_key(), keys[0].public_key());
}

TEST_F(IdentityTest, AnAccessRequestWithoutVerificationIsNeverFiled) {
  grpc::Status status = Submit(Access("alice@example.org", {}));
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("subject_identifiers[0] (EMAIL) is not verified"),
            std::string::npos)
      << status.error_message();
  EXPECT_EQ(status.error_message().find("alice"), std::string::npos);
  // A verified email does not cover a second, unverified one.
  dsr::v1::SubmitRequestRequest two =
      Access("alice@example.org", {VerifyEmail("alice@example.org")});
  *two.mutable_request()->add_subject_identifiers() =
      Id(SubjectIdentifier::EMAIL, "bob@example.org");
  status = Submit(two);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("subject_identifiers[1]"), std::string::npos);
  EXPECT_TRUE(HolderTasks().empty());
  // The refused submission spent nothing: the token still files.
  two.mutable_request()->mutable_subject_identifiers()->RemoveLast();
  EXPECT_TRUE(Submit(two).ok());
}

TEST_F(IdentityTest, OtherRightsNeedOneVerifiedContactAndTakeHints) {
  dsr::v1::SubmitRequestRequest erasure;
  erasure.mutable_request()->set_type(dsr::v1::ERASURE);
  *erasure.mutable_request()->add_subject_identifiers() =
      Id(SubjectIdentifier::USERNAME, "github:alice");
  erasure.mutable_request()->add_targets(source_);
  grpc::Status status = Submit(erasure);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("verified email address or phone number"),
            std::string::npos);
  // The username travels as an unverified hint beside a verified email.
  *erasure.mutable_request()->add_subject_identifiers() =
      Id(SubjectIdentifier::EMAIL, "alice@example.org");
  erasure.add_verification_tokens(VerifyEmail("alice@example.org"));
  ASSERT_TRUE(Submit(erasure).ok());
  std::vector<dsr::v1::Task> tasks = HolderTasks();
  ASSERT_FALSE(tasks.empty());
  dsr::v1::AttestationStatement statement;
  ASSERT_TRUE(client::CheckAttestation(tasks[0], Keys(), &statement).ok());
  ASSERT_EQ(statement.verified_identifiers_size(), 1);
  EXPECT_EQ(statement.verified_identifiers(0).identifier().type(), SubjectIdentifier::EMAIL);
  ASSERT_EQ(tasks[0].subject_identifiers_size(), 2);
  EXPECT_FALSE(tasks[0].subject_identifiers(0).verified());  // the username: a hint
  EXPECT_TRUE(tasks[0].subject_identifiers(1).verified());
}

TEST_F(IdentityTest, WrongCodesUseAttemptsThenTheVerificationIsSpent) {
  dsr::v1::Verification started;
  ASSERT_TRUE(Start(Id(SubjectIdentifier::EMAIL, "alice@example.org"), &started).ok());
  EXPECT_EQ(started.attempts_left(), 5);
  const std::string code = mail_->CodeIn(0);
  ASSERT_EQ(code.size(), 8u);
  const std::string wrong = code == "00000000" ? "11111111" : "00000000";
  dsr::v1::ConfirmVerificationResponse confirmed;
  for (int left = 4; left >= 1; --left) {
    grpc::Status status = Confirm(started.name(), wrong, &confirmed);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find(absl::StrCat(left, " attempts left")), std::string::npos)
        << status.error_message();
  }
  grpc::Status status = Confirm(started.name(), wrong, &confirmed);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("start a new verification"), std::string::npos);
  // Spent: even the right code now finds nothing, and gives no token.
  EXPECT_EQ(Confirm(started.name(), code, &confirmed).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(confirmed.verification_token().empty());
  // A malformed code is refused without using an attempt.
  ASSERT_TRUE(Start(Id(SubjectIdentifier::EMAIL, "alice@example.org"), &started).ok());
  EXPECT_EQ(Confirm(started.name(), "12ab", &confirmed).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Confirm(started.name(), mail_->CodeIn(1), &confirmed).ok());
}

TEST_F(IdentityTest, ExpiredCodesAndTokensAreRefused) {
  dsr::v1::Verification started;
  ASSERT_TRUE(Start(Id(SubjectIdentifier::EMAIL, "alice@example.org"), &started).ok());
  const std::string code = mail_->CodeIn(0);
  clock_.Advance(absl::Minutes(10) + absl::Seconds(1));
  dsr::v1::ConfirmVerificationResponse confirmed;
  grpc::Status status = Confirm(started.name(), code, &confirmed);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("expired"), std::string::npos);
  EXPECT_TRUE(confirmed.verification_token().empty());

  const std::string token = VerifyEmail("alice@example.org");
  clock_.Advance(absl::Minutes(30) + absl::Seconds(1));
  status = Submit(Access("alice@example.org", {token}));
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("verification_tokens[0] is unknown, expired or spent"),
            std::string::npos);
  EXPECT_TRUE(HolderTasks().empty());
}

TEST_F(IdentityTest, ATokenIsSpentOnceAndOnlyForItsIdentifier) {
  const std::string token = VerifyEmail("alice@example.org");
  // Another identifier: refused, and the token is not spent by it.
  grpc::Status status = Submit(Access("mallory@example.org", {token}));
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("proves none of request.subject_identifiers"),
            std::string::npos);
  // Its own identifier: filed once; a replay of the token is refused.
  dsr::v1::SubmitRequestRequest request = Access("alice@example.org", {token});
  ASSERT_TRUE(Submit(request).ok());
  const size_t filed = HolderTasks().size();
  status = Submit(request);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("spent"), std::string::npos);
  EXPECT_EQ(HolderTasks().size(), filed);
  // A forged token is refused the same way as a spent one.
  EXPECT_EQ(Submit(Access("alice@example.org", {"dsr_verified_forged"})).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

TEST_F(IdentityTest, ARetryWithTheSameKeyReplaysWithoutSpendingAgain) {
  dsr::v1::SubmitRequestRequest request =
      Access("alice@example.org", {VerifyEmail("alice@example.org")});
  request.set_request_id("retry-1");
  request.set_receipt_token("dsr_receipt_" + std::string(43, 'r'));
  dsr::v1::SubmitRequestResponse first, second;
  ASSERT_TRUE(Submit(request, &first).ok());
  grpc::Status status = Submit(request, &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.request().name(), first.request().name());
  EXPECT_EQ(HolderTasks().size(), 2u);
}

TEST_F(IdentityTest, WebSitesAreVerifiedByAServedChallenge) {
  // Only an origin can be verified: a path on a shared host, a port or a
  // user part is not what a served challenge proves.
  dsr::v1::Verification refused;
  for (const char* not_origin :
       {"https://myblog.example/posts/", "http://myblog.example/", "https://myblog.example:8443/",
        "https://victim.example@myblog.example/"}) {
    EXPECT_EQ(Start(Id(SubjectIdentifier::URL, not_origin), &refused).error_code(),
              StatusCode::INVALID_ARGUMENT)
        << not_origin;
  }
  const SubjectIdentifier site = Id(SubjectIdentifier::URL, "https://MyBlog.example/");
  dsr::v1::Verification started;
  ASSERT_TRUE(Start(site, &started).ok());
  EXPECT_EQ(started.method(), dsr::v1::HTTP_CHALLENGE);
  EXPECT_EQ(started.challenge_url(),
            "https://myblog.example/.well-known/dsr-challenge/" + started.challenge());
  dsr::v1::ConfirmVerificationRequest confirm;
  confirm.set_name(started.name());
  confirm.set_code(started.challenge());
  *confirm.mutable_identifier() = site;
  dsr::v1::ConfirmVerificationResponse confirmed;
  // Another challenge is never fetched: refused, with an attempt used.
  dsr::v1::ConfirmVerificationRequest forged = confirm;
  forged.set_code("dsr_challenge_../../admin?x=1");
  grpc::Status status = verify_->ConfirmVerification(Context().get(), forged, &confirmed);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(web_->fetched(), 0);
  // Not served yet: refused, with an attempt used.
  status = verify_->ConfirmVerification(Context().get(), confirm, &confirmed);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("3 attempts left"), std::string::npos);
  EXPECT_EQ(web_->fetched(), 1);
  // Served with other words: refused.
  web_->Serve(started.challenge_url(), "something else\n");
  EXPECT_FALSE(verify_->ConfirmVerification(Context().get(), confirm, &confirmed).ok());
  // Another site's URL cannot confirm this verification.
  dsr::v1::ConfirmVerificationRequest other = confirm;
  other.mutable_identifier()->set_value("https://evil.example/");
  EXPECT_EQ(verify_->ConfirmVerification(Context().get(), other, &confirmed).error_code(),
            StatusCode::INVALID_ARGUMENT);
  web_->Serve(started.challenge_url(), started.challenge() + "\n");
  status = verify_->ConfirmVerification(Context().get(), confirm, &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(confirmed.identifier().value(), "https://myblog.example/");
  // The site owner objects; the objection needs a verified contact too.
  dsr::v1::SubmitRequestRequest objection;
  objection.mutable_request()->set_type(dsr::v1::OBJECTION);
  *objection.mutable_request()->add_subject_identifiers() = site;
  *objection.mutable_request()->add_subject_identifiers() =
      Id(SubjectIdentifier::EMAIL, "owner@myblog.example");
  objection.mutable_request()->add_targets(source_);
  objection.add_verification_tokens(confirmed.verification_token());
  objection.add_verification_tokens(VerifyEmail("owner@myblog.example"));
  status = Submit(objection);
  ASSERT_TRUE(status.ok()) << status.error_message();
  dsr::v1::AttestationStatement statement;
  ASSERT_TRUE(client::CheckAttestation(HolderTasks()[0], Keys(), &statement).ok());
  EXPECT_EQ(statement.verified_identifiers_size(), 2);
  EXPECT_EQ(statement.verified_identifiers(0).method(), dsr::v1::HTTP_CHALLENGE);
  // Addresses are not fetched.
  EXPECT_EQ(Start(Id(SubjectIdentifier::URL, "https://10.0.0.1/"), &started).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityTest, PhoneCodesGoThroughTheTextSender) {
  dsr::v1::Verification started;
  ASSERT_TRUE(Start(Id(SubjectIdentifier::PHONE, "+44 20 7946 0958"), &started).ok());
  EXPECT_EQ(started.method(), dsr::v1::PHONE_CODE);
  std::optional<broker::OutgoingMessage> text = texts_->WaitFor(0);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->to, "+442079460958");
  EXPECT_TRUE(text->subject.empty());
  dsr::v1::ConfirmVerificationResponse confirmed;
  EXPECT_TRUE(Confirm(started.name(), texts_->CodeIn(0), &confirmed).ok());
  EXPECT_EQ(Sent(), 0u);
}

TEST_F(IdentityTest, UnverifiableTypesAreRefusedWithWhatToDo) {
  dsr::v1::Verification started;
  grpc::Status status = Start(Id(SubjectIdentifier::USERNAME, "github:alice"), &started);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("unverified hints"), std::string::npos);
  EXPECT_EQ(Start(Id(SubjectIdentifier::EMAIL, "not an address"), &started).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityTest, AProvedEmailFindsItsRequestsWithNewReceipts) {
  dsr::v1::SubmitRequestResponse first, second, other;
  ASSERT_TRUE(Submit(Access("alice@example.org", {VerifyEmail("alice@example.org")}), &first).ok());
  dsr::v1::SubmitRequestRequest erasure = Access("alice@example.org", {});
  erasure.mutable_request()->set_type(dsr::v1::ERASURE);
  erasure.add_verification_tokens(VerifyEmail("alice@example.org"));
  ASSERT_TRUE(Submit(erasure, &second).ok());
  ASSERT_TRUE(Submit(Access("bob@example.org", {VerifyEmail("bob@example.org")}), &other).ok());

  // Alice lost her receipts: she proves her address again and lists.
  dsr::v1::ListRequestsRequest list;
  list.set_verification_token(VerifyEmail("Alice@example.org"));
  list.set_page_size(1);
  std::set<std::string> found;
  dsr::v1::ListRequestsResponse page;
  do {
    page.Clear();
    grpc::Status status = requests_->ListRequests(Context().get(), list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const dsr::v1::FoundRequest& f : page.requests()) {
      found.insert(f.request().name());
      EXPECT_EQ(f.request().subject_identifiers_size(), 0);
      // The new receipt opens the request.
      dsr::v1::GetRequestRequest get;
      get.set_name(f.request().name());
      dsr::v1::GetRequestResponse read;
      ASSERT_TRUE(requests_->GetRequest(Context(f.receipt_token()).get(), get, &read).ok());
      EXPECT_EQ(read.request().subject_identifiers(0).value(), "alice@example.org");
    }
    list.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_EQ(found, (std::set<std::string>{first.request().name(), second.request().name()}));
  // The old receipt still opens its request; the token is not spent.
  dsr::v1::GetRequestRequest get;
  get.set_name(first.request().name());
  dsr::v1::GetRequestResponse read;
  EXPECT_TRUE(requests_->GetRequest(Context(first.receipt_token()).get(), get, &read).ok());
  // A forged or expired token lists nothing.
  list.set_page_token("");
  list.set_verification_token("dsr_verified_forged");
  EXPECT_EQ(requests_->ListRequests(Context().get(), list, &page).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

TEST_F(IdentityTest, ARequestVerifiedWithMoreIdentifiersNeedsThemAllProved) {
  // Filed with an email and a phone number, both verified.
  dsr::v1::Verification started;
  ASSERT_TRUE(Start(Id(SubjectIdentifier::PHONE, "+44 20 7946 0958"), &started).ok());
  dsr::v1::ConfirmVerificationResponse phone;
  ASSERT_TRUE(Confirm(started.name(), texts_->CodeIn(0), &phone).ok());
  dsr::v1::SubmitRequestRequest access =
      Access("alice@example.org", {VerifyEmail("alice@example.org"), phone.verification_token()});
  *access.mutable_request()->add_subject_identifiers() =
      Id(SubjectIdentifier::PHONE, "+44 20 7946 0958");
  dsr::v1::SubmitRequestResponse filed;
  ASSERT_TRUE(Submit(access, &filed).ok());
  // Whoever holds the address alone (it changed hands, say) gets no receipt.
  dsr::v1::ListRequestsRequest list;
  list.set_verification_token(VerifyEmail("alice@example.org"));
  dsr::v1::ListRequestsResponse page;
  ASSERT_TRUE(requests_->ListRequests(Context().get(), list, &page).ok());
  EXPECT_EQ(page.requests_size(), 0);
  EXPECT_EQ(page.withheld(), 1);
  // With the phone proved too, it is listed.
  ASSERT_TRUE(Start(Id(SubjectIdentifier::PHONE, "+44 20 7946 0958"), &started).ok());
  ASSERT_TRUE(Confirm(started.name(), texts_->CodeIn(1), &phone).ok());
  list.add_other_verification_tokens(phone.verification_token());
  ASSERT_TRUE(requests_->ListRequests(Context().get(), list, &page).ok());
  ASSERT_EQ(page.requests_size(), 1);
  EXPECT_EQ(page.requests(0).request().name(), filed.request().name());
  EXPECT_EQ(page.withheld(), 0);
}

TEST_F(IdentityTest, APurgedRequestIsNoLongerFound) {
  dsr::v1::SubmitRequestResponse filed;
  ASSERT_TRUE(Submit(Access("alice@example.org", {VerifyEmail("alice@example.org")}), &filed).ok());
  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(filed.request().name());
  dsr::v1::GetRequestResponse cancelled;
  ASSERT_TRUE(
      requests_->CancelRequest(Context(filed.receipt_token()).get(), cancel, &cancelled).ok());
  clock_.Advance(absl::Hours(24 * 181));
  ASSERT_TRUE(server_->core().retention().Sweep().ok());
  dsr::v1::ListRequestsRequest list;
  list.set_verification_token(VerifyEmail("alice@example.org"));
  dsr::v1::ListRequestsResponse page;
  ASSERT_TRUE(requests_->ListRequests(Context().get(), list, &page).ok());
  EXPECT_EQ(page.requests_size(), 0);
}

TEST_F(IdentityTest, MilestonesAreEmailedToThePersonWhoAskedForThem) {
  dsr::v1::SubmitRequestRequest erasure = Access("alice@example.org", {});
  erasure.mutable_request()->set_type(dsr::v1::ERASURE);
  erasure.add_verification_tokens(VerifyEmail("alice@example.org"));
  erasure.set_email_updates(true);
  dsr::v1::SubmitRequestResponse filed;
  ASSERT_TRUE(Submit(erasure, &filed).ok());
  const size_t codes = Sent();
  EXPECT_EQ(DeliverDue(), 1);
  std::vector<broker::OutgoingMessage> mail = mail_->sent();
  ASSERT_EQ(mail.size(), codes + 1);
  EXPECT_EQ(mail.back().to, "alice@example.org");
  EXPECT_EQ(mail.back().subject, "Your request is filed");
  EXPECT_NE(mail.back().body.find(filed.request().name()), std::string::npos);
  EXPECT_EQ(DeliverDue(), 0);  // sent once

  auto task = [&](int i) { return filed.tasks(i).name(); };
  dsr::v1::ExtendTaskRequest extend;
  extend.set_name(task(0));
  extend.set_months(1);
  extend.set_reason("Our archive is offline.\nCall +1 555 0100 now");
  dsr::v1::Task answered;
  ASSERT_TRUE(inbox_->ExtendTask(Context(actor_token_).get(), extend, &answered).ok());
  dsr::v1::RefuseTaskRequest refuse;
  refuse.set_name(task(0));
  refuse.set_ground(dsr::v1::LEGAL_CLAIMS);
  refuse.set_explanation("Kept for a court case.");
  ASSERT_TRUE(inbox_->RefuseTask(Context(actor_token_).get(), refuse, &answered).ok());
  dsr::v1::CompleteTaskRequest complete;
  complete.set_name(task(1));
  complete.set_outcome(dsr::v1::ERASED);
  ASSERT_TRUE(inbox_->CompleteTask(Context(actor_token_).get(), complete, &answered).ok());
  EXPECT_EQ(DeliverDue(), 3);
  mail = mail_->sent();
  ASSERT_EQ(mail.size(), codes + 4);
  EXPECT_EQ(mail[codes + 1].subject, "A holder extended its deadline");
  // The holder's words, quoted on one line.
  EXPECT_NE(mail[codes + 1].body.find("\"Our archive is offline. Call +1 555 0100 now\""),
            std::string::npos)
      << mail[codes + 1].body;
  EXPECT_EQ(mail[codes + 2].subject, "A holder refused your request");
  EXPECT_NE(mail[codes + 2].body.find("LEGAL_CLAIMS"), std::string::npos);
  EXPECT_EQ(mail[codes + 2].body.find("court case"), std::string::npos);
  EXPECT_EQ(mail[codes + 3].subject, "Every holder has answered");

  // Without email_updates, nothing but the code.
  dsr::v1::SubmitRequestRequest quiet = Access("bob@example.org", {VerifyEmail("bob@example.org")});
  ASSERT_TRUE(Submit(quiet).ok());
  const size_t before = Sent();
  EXPECT_EQ(DeliverDue(), 0);
  EXPECT_EQ(Sent(), before);
}

TEST_F(IdentityTest, OverdueIsToldOncePerRequestInFrench) {
  dsr::v1::SubmitRequestRequest access =
      Access("alice@example.org", {VerifyEmail("alice@example.org")});
  access.set_email_updates(true);
  access.set_language_code("fr");
  ASSERT_TRUE(Submit(access).ok());
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(mail_->sent().back().subject, "Votre demande est déposée");
  clock_.Advance(absl::Hours(24 * 40));
  ASSERT_TRUE(server_->core().overdue().Sweep().ok());
  EXPECT_EQ(DeliverDue(), 1);  // two tasks overdue, one message
  EXPECT_EQ(mail_->sent().back().subject, "Une réponse est en retard");
}

TEST_F(IdentityTest, UpdatesNeedAVerifiedEmail) {
  dsr::v1::Verification started;
  ASSERT_TRUE(Start(Id(SubjectIdentifier::PHONE, "+44 20 7946 0958"), &started).ok());
  dsr::v1::ConfirmVerificationResponse confirmed;
  ASSERT_TRUE(Confirm(started.name(), texts_->CodeIn(0), &confirmed).ok());
  dsr::v1::SubmitRequestRequest erasure;
  erasure.mutable_request()->set_type(dsr::v1::ERASURE);
  *erasure.mutable_request()->add_subject_identifiers() =
      Id(SubjectIdentifier::PHONE, "+44 20 7946 0958");
  erasure.mutable_request()->add_targets(source_);
  erasure.add_verification_tokens(confirmed.verification_token());
  erasure.set_email_updates(true);
  grpc::Status status = Submit(erasure);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("email_updates needs a verified email"), std::string::npos);
  // The refusal spent nothing: without updates it files.
  erasure.set_email_updates(false);
  EXPECT_TRUE(Submit(erasure).ok());
}

TEST_F(IdentityTest, AFailedSendIsRetriedLaterAndNeverHoldsTheRequest) {
  dsr::v1::SubmitRequestRequest access =
      Access("alice@example.org", {VerifyEmail("alice@example.org")});
  access.set_email_updates(true);
  mail_->FailNext(2);
  dsr::v1::SubmitRequestResponse filed;
  ASSERT_TRUE(Submit(access, &filed).ok());  // the request does not wait for mail
  const size_t before = Sent();
  EXPECT_EQ(DeliverDue(), 0);
  EXPECT_EQ(DeliverDue(), 0);  // not due again yet
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(DeliverDue(), 0);  // the second failure
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(Sent(), before + 1);
  EXPECT_EQ(HolderTasks().size(), 2u);
}

TEST_F(IdentityTest, AHolderMayAskForProofAgainAndTheClockWaits) {
  dsr::v1::SubmitRequestResponse filed;
  ASSERT_TRUE(Submit(Access("alice@example.org", {VerifyEmail("alice@example.org")}), &filed).ok());
  const std::string waiting = filed.tasks(0).name();
  const int64_t due = filed.tasks(0).due_time().seconds();
  dsr::v1::RequestIdentityRequest ask;
  ask.set_name(waiting);
  ask.set_message("Two people share this address in our data; please prove it again.");
  dsr::v1::Task task;
  grpc::Status status = inbox_->RequestIdentity(Context(actor_token_).get(), ask, &task);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(task.state(), dsr::v1::Task::WAITING_FOR_IDENTITY);
  // The person is told by email (without having asked for updates), and in
  // GetRequest.
  EXPECT_EQ(DeliverDue(), 1);
  EXPECT_EQ(mail_->sent().back().subject, "A holder asks you to verify again");
  EXPECT_NE(mail_->sent().back().body.find("Two people share this address"), std::string::npos);
  dsr::v1::GetRequestRequest get;
  get.set_name(filed.request().name());
  dsr::v1::GetRequestResponse read;
  ASSERT_TRUE(requests_->GetRequest(Context(filed.receipt_token()).get(), get, &read).ok());
  EXPECT_EQ(read.tasks(0).state(), dsr::v1::Task::WAITING_FOR_IDENTITY);
  EXPECT_NE(read.tasks(0).identity_request().find("prove it again"), std::string::npos);
  EXPECT_EQ(read.request().task_counts().waiting_for_identity(), 1);

  // 40 days on, the other task is overdue; the waiting one is not.
  clock_.Advance(absl::Hours(24 * 40));
  ASSERT_TRUE(server_->core().overdue().Sweep().ok());
  ASSERT_TRUE(requests_->GetRequest(Context(filed.receipt_token()).get(), get, &read).ok());
  EXPECT_FALSE(read.tasks(0).overdue());
  EXPECT_TRUE(read.tasks(1).overdue());

  // A stale token does not do; a fresh one brings the task back, its due
  // time 40 days later, with a new attestation.
  dsr::v1::ConfirmIdentityRequest confirm;
  confirm.set_name(filed.request().name());
  confirm.add_verification_tokens("dsr_verified_stale");
  EXPECT_EQ(
      requests_->ConfirmIdentity(Context(filed.receipt_token()).get(), confirm, &read).error_code(),
      StatusCode::FAILED_PRECONDITION);
  confirm.set_verification_tokens(0, VerifyEmail("alice@example.org"));
  status = requests_->ConfirmIdentity(Context(filed.receipt_token()).get(), confirm, &read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read.tasks(0).state(), dsr::v1::Task::OPEN);
  EXPECT_EQ(read.tasks(0).due_time().seconds(), due + 40 * 86400);
  dsr::v1::GetTaskRequest get_task;
  get_task.set_name(waiting);
  ASSERT_TRUE(inbox_->GetTask(Context(actor_token_).get(), get_task, &task).ok());
  dsr::v1::AttestationStatement statement;
  ASSERT_TRUE(client::CheckAttestation(task, Keys(), &statement).ok());
  EXPECT_GE(statement.verified_identifiers(0).verify_time().seconds(),
            filed.request().create_time().seconds() + 40 * 86400);
  // A late holder cannot stop its clock: the other task is due.
  dsr::v1::RequestIdentityRequest late = ask;
  late.set_name(filed.tasks(1).name());
  EXPECT_EQ(inbox_->RequestIdentity(Context(actor_token_).get(), late, &task).error_code(),
            StatusCode::FAILED_PRECONDITION);
  // An extension keeps the time spent waiting.
  dsr::v1::ExtendTaskRequest extend;
  extend.set_name(waiting);
  extend.set_months(1);
  extend.set_reason("Many copies to check.");
  ASSERT_TRUE(inbox_->ExtendTask(Context(actor_token_).get(), extend, &task).ok());
  EXPECT_GE(task.due_time().seconds(), due + 40 * 86400 + 28 * 86400);
  // Nobody waits any more.
  confirm.set_verification_tokens(0, VerifyEmail("alice@example.org"));
  EXPECT_EQ(
      requests_->ConfirmIdentity(Context(filed.receipt_token()).get(), confirm, &read).error_code(),
      StatusCode::FAILED_PRECONDITION);

  // The holder may ask twice per task at most; then it answers, or refuses
  // on Art. 12(6).
  ASSERT_TRUE(inbox_->RequestIdentity(Context(actor_token_).get(), ask, &task).ok());
  confirm.set_verification_tokens(0, VerifyEmail("alice@example.org"));
  ASSERT_TRUE(
      requests_->ConfirmIdentity(Context(filed.receipt_token()).get(), confirm, &read).ok());
  EXPECT_EQ(inbox_->RequestIdentity(Context(actor_token_).get(), ask, &task).error_code(),
            StatusCode::FAILED_PRECONDITION);
  dsr::v1::RefuseTaskRequest refuse;
  refuse.set_name(waiting);
  refuse.set_ground(dsr::v1::IDENTITY_NOT_VERIFIED);
  refuse.set_explanation("You did not prove your address.");
  ASSERT_TRUE(inbox_->RefuseTask(Context(actor_token_).get(), refuse, &task).ok());
  EXPECT_EQ(task.state(), dsr::v1::Task::REFUSED);
}

class LimitedIdentityTest : public IdentityTest {
 protected:
  LimitedIdentityTest() : IdentityTest(/*limited=*/true) {}
};

TEST_F(LimitedIdentityTest, CodesAskedForInABurstAreRefusedWithoutMail) {
  dsr::v1::Verification started;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Start(Id(SubjectIdentifier::EMAIL, "alice@example.org"), &started).ok());
  }
  ASSERT_TRUE(mail_->WaitFor(4).has_value());
  grpc::Status status = Start(Id(SubjectIdentifier::EMAIL, "alice@example.org"), &started);
  EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("too many verifications asked for"), std::string::npos);
  EXPECT_EQ(status.error_message().find("alice"), std::string::npos);
  // Another person's address is not held back by Alice's limit.
  EXPECT_TRUE(Start(Id(SubjectIdentifier::EMAIL, "bob@example.org"), &started).ok());
  ASSERT_TRUE(mail_->WaitFor(5).has_value());
  EXPECT_EQ(Sent(), 6u);
}

}  // namespace
}  // namespace dsr::testing
