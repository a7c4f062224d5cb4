#ifndef DSR_BROKER_SERVICE_UNARY_CALL_H_
#define DSR_BROKER_SERVICE_UNARY_CALL_H_

// How every unary RPC is served: authenticate the caller from its metadata,
// run the domain call on the executor (it may block on a synced write, which
// must not happen on gRPC's callback threads), and finish the call with the
// mapped status. A later write path that batches commits can replace the
// executor here without touching the domain logic.
//
// UnaryCalls also counts the calls in flight, so that shutdown can refuse new
// calls and wait for the running ones to finish. Thread-safe.

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/authenticator.h"
#include "broker/executor.h"
#include "broker/principal.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace dsr::broker {

class UnaryCalls {
 public:
  // Both must outlive every call.
  UnaryCalls(Executor* executor, const Authenticator* authenticator)
      : executor_(executor), authenticator_(authenticator) {}

  // Serves one call: `call(const Principal&)` returns the status to send and
  // fills the response before returning. While draining, the call is refused
  // with UNAVAILABLE (the client may retry against a running broker).
  template <typename Call>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context, Call call) {
    Reactor* reactor = new Reactor(this);
    if (!Admit()) {
      reactor->Finish(Refusal());
      return reactor;
    }
    executor_->Schedule([this, context, reactor, call = std::move(call)]() mutable {
      absl::StatusOr<Principal> principal = Authenticate(*context);
      reactor->Finish(ToGrpc(principal.ok() ? call(*principal) : principal.status()));
    });
    return reactor;
  }

  // Refuses new calls from now on, then waits until every call in flight is
  // done or `grace` has passed. Returns whether all are done.
  bool Drain(absl::Duration grace) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Deletes itself when gRPC is done with the call.
  class Reactor final : public grpc::ServerUnaryReactor {
   public:
    explicit Reactor(UnaryCalls* owner) : owner_(owner) {}
    void OnDone() override;

   private:
    UnaryCalls* const owner_;
  };

  // Counts a new call in flight; false while draining.
  bool Admit() ABSL_LOCKS_EXCLUDED(mu_);
  void Done() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Principal> Authenticate(const grpc::CallbackServerContext& context) const;
  static grpc::Status ToGrpc(const absl::Status& status);
  static grpc::Status Refusal();

  Executor* const executor_;
  const Authenticator* const authenticator_;
  absl::Mutex mu_;
  // Calls started and not yet done, refused ones included.
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_UNARY_CALL_H_
