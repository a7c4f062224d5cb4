#ifndef DSR_BROKER_SERVICE_UNARY_CALL_H_
#define DSR_BROKER_SERVICE_UNARY_CALL_H_

// How every unary RPC is served: authenticate the caller from its metadata,
// run the domain call on the executor (it may block on a synced write, which
// must not happen on gRPC's callback threads), and finish the call with the
// mapped status. A later write path that batches commits can replace the
// executor here without touching the domain logic.

#include <utility>

#include "absl/status/status.h"
#include "broker/authenticator.h"
#include "broker/executor.h"
#include "broker/principal.h"
#include "grpcpp/server_context.h"

namespace dsr::broker {

class UnaryCalls {
 public:
  // Both must outlive every call.
  UnaryCalls(Executor* executor, const Authenticator* authenticator)
      : executor_(executor), authenticator_(authenticator) {}

  // Serves one call: `call(const Principal&)` returns the status to send and
  // fills the response before returning.
  template <typename Call>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context, Call call) const {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    executor_->Schedule([this, context, reactor, call = std::move(call)]() mutable {
      absl::StatusOr<Principal> principal = Authenticate(*context);
      reactor->Finish(ToGrpc(principal.ok() ? call(*principal) : principal.status()));
    });
    return reactor;
  }

 private:
  absl::StatusOr<Principal> Authenticate(const grpc::CallbackServerContext& context) const;
  static grpc::Status ToGrpc(const absl::Status& status);

  Executor* const executor_;
  const Authenticator* const authenticator_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_UNARY_CALL_H_
