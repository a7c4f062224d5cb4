#include "broker/service/unary_call.h"

#include "absl/strings/string_view.h"
#include "broker/service/call_credentials.h"
#include "broker/service/status_conversion.h"

namespace dsr::broker {

void UnaryCalls::Reactor::OnDone() {
  if (admitted_) owner_->Done();
  delete this;
}

bool UnaryCalls::Admit() {
  absl::MutexLock lock(&mu_);
  if (draining_) return false;
  ++in_flight_;
  return true;
}

void UnaryCalls::Done() {
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

bool UnaryCalls::Drain(absl::Duration grace) {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), grace);
}

absl::StatusOr<Principal> UnaryCalls::Authenticate(
    const grpc::CallbackServerContext& context) const {
  return authenticator_->Authenticate(CredentialsOf(context));
}

void UnaryCalls::FinishWhenDurable(Reactor* reactor, absl::Status status) const {
  store_->WhenDurable([reactor, status = std::move(status)](absl::Status synced) {
    reactor->Finish(ToGrpc(synced.ok() ? status : synced));
  });
}

grpc::Status UnaryCalls::ToGrpc(const absl::Status& status) { return ToGrpcStatus(status); }

grpc::Status UnaryCalls::Refusal() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the broker is shutting down; retry");
}

}  // namespace dsr::broker
