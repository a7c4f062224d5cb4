#include "tests/broker/requests_test_base.h"

#include "broker/base/tokens.h"
#include "storage/keys.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {

RequestsTest::RequestsTest() { ReopenAll(); }

void RequestsTest::ReopenAll() {
  Reopen();
  pseudonyms_ = &core_->pseudonyms();
  vault_ = &core_->vault();
  requests_ = &core_->requests();
  tasks_ = &core_->inbox();
}

dsr::v1::SubmitRequestResponse RequestsTest::Submit(const std::vector<std::string>& targets,
                                                    dsr::v1::Request::LineageScope scope,
                                                    dsr::v1::RequestType type) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(type);
  dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("Alice@Example.com");
  for (const std::string& t : targets) request.mutable_request()->add_targets(t);
  request.mutable_request()->set_lineage_scope(scope);
  dsr::v1::SubmitRequestResponse response;
  EXPECT_OK(requests_->Submit(Principal::Anonymous(), request, &response));
  return response;
}

RequestsOptions RequestsTest::OptionsLikeCore(const Limits& limits) {
  RequestsOptions options;
  options.store = store_;
  options.clock = &clock_;
  options.journal = journal_;
  options.inbox = inbox_;
  options.graph = &registry_->graph();
  options.vault = vault_;
  options.pseudonyms = pseudonyms_;
  options.verifications = &core_->verifications();
  options.attestor = &core_->attestor();
  options.require_verification = false;
  options.limits = limits;
  return options;
}

Principal RequestsTest::ReceiptOf(const dsr::v1::SubmitRequestResponse& response) {
  Authenticator auth(store_, Sha256("admin"));
  absl::StatusOr<Principal> principal = auth.Authenticate(response.receipt_token());
  EXPECT_OK(principal);
  return principal.ok() ? *principal : Principal::Anonymous();
}

std::vector<dsr::storage::v1::InboxEventRecord> RequestsTest::InboxOf(const std::string& actor) {
  std::vector<dsr::storage::v1::InboxEventRecord> events;
  EXPECT_OK(store_->Scan(storage::ColumnFamily::kInbox, storage::keys::InboxOf(actor), "",
                         [&](absl::string_view, absl::string_view value) {
                           EXPECT_TRUE(events.emplace_back().ParseFromArray(
                               value.data(), static_cast<int>(value.size())));
                           return true;
                         }));
  return events;
}

}  // namespace dsr::broker
