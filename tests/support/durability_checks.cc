#include "tests/support/durability_checks.h"

#include <memory>

#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"

namespace dsr::testing {
namespace {

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

}  // namespace

::testing::AssertionResult RequestIsThere(dsr::v1::RequestService::Stub& requests,
                                          const std::string& name, const std::string& receipt) {
  dsr::v1::GetRequestRequest get;
  get.set_name(name);
  dsr::v1::GetRequestResponse response;
  grpc::Status status = requests.GetRequest(Context(receipt).get(), get, &response);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "acknowledged " << name << " is gone: " << status.error_message();
}

::testing::AssertionResult AuditChainIsIntact(dsr::v1::AuditService::Stub& audit,
                                              const std::string& admin_token, uint64_t* events) {
  dsr::v1::VerifyAuditLogResponse verified;
  grpc::Status status =
      audit.VerifyAuditLog(Context(admin_token).get(), dsr::v1::VerifyAuditLogRequest(), &verified);
  if (!status.ok()) return ::testing::AssertionFailure() << status.error_message();
  if (!verified.intact()) {
    return ::testing::AssertionFailure()
           << "the audit chain breaks at " << verified.first_broken_sequence();
  }
  *events = verified.event_count();
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult InboxIsGapFree(
    dsr::v1::InboxService::Stub& inbox, const std::string& token, uint64_t after, uint64_t* last,
    const std::function<void(const dsr::v1::InboxEvent&)>& visit) {
  // CommitInbox with cursor 0 changes nothing and tells the last sequence.
  dsr::v1::CommitInboxResponse state;
  grpc::Status status =
      inbox.CommitInbox(Context(token).get(), dsr::v1::CommitInboxRequest(), &state);
  if (!status.ok()) return ::testing::AssertionFailure() << status.error_message();
  if (state.last_sequence() < after) {
    return ::testing::AssertionFailure() << "the inbox ends at " << state.last_sequence()
                                         << ", before event " << after << " seen earlier";
  }
  auto context = Context(token);
  dsr::v1::StreamInboxRequest from;
  from.set_after_sequence(after);
  auto stream = inbox.StreamInbox(context.get(), from);
  dsr::v1::InboxEvent event;
  uint64_t expected = after + 1;
  while (expected <= state.last_sequence() && stream->Read(&event)) {
    if (event.sequence() != expected) {
      context->TryCancel();
      stream->Finish().ok();
      return ::testing::AssertionFailure()
             << "inbox gap: event " << event.sequence() << " where " << expected << " belongs";
    }
    if (visit) visit(event);
    ++expected;
  }
  context->TryCancel();
  stream->Finish().ok();
  if (expected != state.last_sequence() + 1) {
    return ::testing::AssertionFailure()
           << "the stream ended at " << expected - 1 << " of " << state.last_sequence();
  }
  *last = state.last_sequence();
  return ::testing::AssertionSuccess();
}

}  // namespace dsr::testing
