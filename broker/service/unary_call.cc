#include "broker/service/unary_call.h"

#include "absl/strings/string_view.h"
#include "broker/service/call_credentials.h"
#include "broker/service/status_conversion.h"

namespace dsr::broker {

void UnaryCalls::Reactor::OnDone() {
  if (admitted_) owner_->Done();
  delete this;
}

void UnaryCalls::Reactor::Release() {
  if (!admitted_) return;
  admitted_ = false;
  owner_->Done();
}

UnaryCalls::Admission UnaryCalls::Admit() {
  absl::MutexLock lock(&mu_);
  if (draining_) return Admission::kDraining;
  if (in_flight_ >= max_in_flight_) return Admission::kBusy;
  ++in_flight_;
  return Admission::kAdmitted;
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

void UnaryCalls::FinishWhenDurable(Reactor* reactor, absl::Status status) const {
  store_->WhenDurable([reactor, status = std::move(status)](absl::Status synced) {
    reactor->Finish(ToGrpc(synced.ok() ? status : synced));
  });
}

void UnaryCalls::FinishLate(Reactor* reactor, absl::Status status,
                            const std::string& address) const {
  reactor->Release();
  delayer_->After(failed_auth_delay_, address,
                  [reactor, status = std::move(status)] { reactor->Finish(ToGrpc(status)); });
}

grpc::Status UnaryCalls::ToGrpc(const absl::Status& status) { return ToGrpcStatus(status); }

grpc::Status UnaryCalls::Refusal(Admission admission) {
  if (admission == Admission::kBusy) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "the broker has too many calls in flight; retry in a moment");
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the broker is shutting down; retry");
}

}  // namespace dsr::broker
