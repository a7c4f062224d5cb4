#include "broker/core/call_runner.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/core/client_status.h"

namespace dsr::broker {

CallRunner::CallRunner(const CallRunnerOptions& options)
    : reads_(options.reads),
      writes_(options.writes),
      authenticator_(options.authenticator),
      store_(options.store),
      delayer_(options.delayer),
      max_in_flight_(options.max_in_flight),
      failed_auth_delay_(options.failed_auth_delay) {}

absl::Status CallRunner::Admit() {
  absl::MutexLock lock(&mu_);
  if (draining_) return ShuttingDown("the broker is shutting down; retry");
  if (in_flight_ >= max_in_flight_) {
    return Overloaded("the broker has too many calls in flight; retry in a moment");
  }
  ++in_flight_;
  return absl::OkStatus();
}

void CallRunner::Done() {
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

bool CallRunner::Drain(absl::Duration grace) {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), grace);
}

absl::StatusOr<Principal> CallRunner::Check(const CallCredentials& credentials,
                                            std::string* address, bool* late) const {
  *late = false;
  *address = authenticator_->ClientAddressOf(credentials);
  // Guessing stays as slow as the delay however many calls a guesser sends:
  // answered at once, this refusal tells it nothing.
  if (credentials.authorization.has_value() && delayer_->Full(*address)) {
    return Overloaded(absl::StrCat(
        "too many failed authentications from this address are waiting for their answer; "
        "retry in ",
        std::max<int64_t>(1,
                          absl::ToInt64Seconds(absl::Ceil(failed_auth_delay_, absl::Seconds(1)))),
        " s"));
  }
  absl::StatusOr<Principal> principal = authenticator_->Authenticate(credentials);
  if (!principal.ok()) *late = true;
  return principal;
}

void CallRunner::Run(Kind kind, Incoming incoming, Call call) {
  if (absl::Status admitted = Admit(); !admitted.ok()) {
    incoming.finish(std::move(admitted), Ticket());
    return;
  }
  Executor* pool = kind == Kind::kRead ? reads_ : writes_;
  pool->Schedule([ticket = Ticket(this), this, incoming = std::move(incoming),
                  call = std::move(call)]() mutable {
    if (incoming.cancelled && incoming.cancelled()) {
      incoming.finish(absl::CancelledError("the client cancelled the call"), std::move(ticket));
      return;
    }
    std::string address;
    bool late = false;
    absl::StatusOr<Principal> principal = Check(incoming.credentials(), &address, &late);
    if (!principal.ok()) {
      if (!late) {
        incoming.finish(principal.status(), std::move(ticket));
        return;
      }
      // Waits in the Delayer, which bounds it, not in the calls' limit.
      ticket = Ticket();
      delayer_->After(failed_auth_delay_, address,
                      [finish = std::move(incoming.finish), status = principal.status()]() mutable {
                        finish(status, Ticket());
                      });
      return;
    }
    absl::Status result = call(*principal);
    store_->WhenDurable([ticket = std::move(ticket), finish = std::move(incoming.finish),
                         result = std::move(result)](absl::Status synced) mutable {
      finish(synced.ok() ? std::move(result) : std::move(synced), std::move(ticket));
    });
  });
}

void CallRunner::Authenticate(absl::AnyInvocable<CallCredentials()> credentials,
                              Authenticated done) {
  // An opening counts as a call in flight until it is authenticated, so
  // that a flood of openings cannot grow the pool's queue without end.
  if (absl::Status admitted = Admit(); !admitted.ok()) {
    if (IsShuttingDown(admitted)) {
      admitted = ShuttingDown("the broker is shutting down; reconnect and resume");
    }
    done(std::move(admitted));
    return;
  }
  reads_->Schedule([ticket = Ticket(this), this, credentials = std::move(credentials),
                    done = std::move(done)]() mutable {
    std::string address;
    bool late = false;
    absl::StatusOr<Principal> principal = Check(credentials(), &address, &late);
    if (late) {
      ticket = Ticket();
      delayer_->After(
          failed_auth_delay_, address,
          [done = std::move(done), status = principal.status()]() mutable { done(status); });
      return;
    }
    done(std::move(principal));
  });
}

}  // namespace dsr::broker
