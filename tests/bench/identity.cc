// V1: what identity verification adds to a submission. One call at a time:
// a SubmitRequest without verification, the same with a verification token
// (spent, and an Ed25519 attestation signed and sealed), and the
// verification itself (CreateVerification, reading the code from the
// mailbox the bench broker keeps, ConfirmVerification).

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "dsr/v1/verification_service.grpc.pb.h"
#include "tests/bench/workloads.h"

namespace dsr::bench {

namespace {

LoadResult Measure(int calls, const std::function<bool(int)>& call) {
  LoadResult result;
  const absl::Time start = absl::Now();
  for (int i = 0; i < calls; ++i) {
    const absl::Time begun = absl::Now();
    if (call(i)) {
      result.latencies.push_back(absl::Now() - begun);
    } else {
      ++result.failures;
    }
    ++result.calls;
  }
  result.elapsed = absl::Now() - start;
  std::sort(result.latencies.begin(), result.latencies.end());
  return result;
}

std::unique_ptr<grpc::ClientContext> Deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

}  // namespace

absl::Status RunIdentity(BenchBroker& broker, const Settings& settings, Table& table) {
  if (absl::StatusOr<std::string> made = broker.CreateActor("bench-v1"); !made.ok()) {
    return made.status();
  }
  absl::StatusOr<std::string> leaf = broker.CreateHolding("bench-v1", "leaf");
  if (!leaf.ok()) return leaf.status();
  auto requests = dsr::v1::RequestService::NewStub(broker.channel());
  auto verify = dsr::v1::VerificationService::NewStub(broker.channel());
  const int calls = std::max(20, static_cast<int>(absl::ToDoubleSeconds(settings.duration) * 100));
  const auto address = [](int i) { return absl::StrCat("verified", i, "@example.org"); };

  std::vector<std::string> tokens(calls);
  LoadResult verified = Measure(calls, [&](int i) {
    dsr::v1::CreateVerificationRequest start;
    start.mutable_identifier()->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    start.mutable_identifier()->set_value(address(i));
    dsr::v1::Verification started;
    const size_t index = broker.mail().sent().size();
    if (!verify->CreateVerification(Deadline().get(), start, &started).ok()) return false;
    dsr::v1::ConfirmVerificationRequest confirm;
    confirm.set_name(started.name());
    confirm.set_code(broker.mail().CodeIn(index));
    dsr::v1::ConfirmVerificationResponse confirmed;
    if (!verify->ConfirmVerification(Deadline().get(), confirm, &confirmed).ok()) return false;
    tokens[i] = confirmed.verification_token();
    return true;
  });
  const auto submit = [&](int i, bool with_token) {
    dsr::v1::SubmitRequestRequest request = Erasure(*leaf, i);
    request.mutable_request()->set_type(dsr::v1::ACCESS);
    request.mutable_request()->mutable_subject_identifiers(0)->set_value(address(i));
    if (with_token) request.add_verification_tokens(tokens[i]);
    dsr::v1::SubmitRequestResponse response;
    return requests->SubmitRequest(Deadline().get(), request, &response).ok();
  };
  LoadResult plain = Measure(calls, [&](int i) { return submit(i, false); });
  LoadResult with_token = Measure(calls, [&](int i) { return submit(i, true); });
  const double added_ms = absl::ToDoubleMilliseconds(with_token.Quantile(0.5)) -
                          absl::ToDoubleMilliseconds(plain.Quantile(0.5));
  table.rows.push_back(Row{"V1 submit, unverified", 1, plain, "one call at a time"});
  table.rows.push_back(Row{"V1 submit, verified", 1, with_token,
                           absl::StrCat("token spent, attestation signed; p50 +",
                                        absl::StrFormat("%.3f", added_ms), " ms")});
  table.rows.push_back(
      Row{"V1 verify (create+confirm)", 1, verified, "email code read from the bench's mailbox"});
  return absl::OkStatus();
}

}  // namespace dsr::bench
