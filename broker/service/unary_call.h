#ifndef DSR_BROKER_SERVICE_UNARY_CALL_H_
#define DSR_BROKER_SERVICE_UNARY_CALL_H_

// gRPC's side of the core's CallRunner (broker/core/call_runner.h), which
// admits, authenticates, runs on a worker pool and answers once durable:
// here a unary call only becomes credentials, a cancellation check and a
// reactor that sends the status. Thread-safe.

#include <utility>

#include "broker/core/call_runner.h"
#include "broker/service/call_credentials.h"
#include "broker/service/status_conversion.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace dsr::broker {

class UnaryCalls {
 public:
  // `runner` must outlive every call.
  explicit UnaryCalls(CallRunner* runner) : runner_(runner) {}

  // Serves one call: `call(const Principal&)` returns the status to send and
  // fills the response before returning.
  template <typename Call>
  grpc::ServerUnaryReactor* RunRead(grpc::CallbackServerContext* context, Call call) {
    return Run(CallRunner::Kind::kRead, context, std::move(call));
  }
  template <typename Call>
  grpc::ServerUnaryReactor* RunWrite(grpc::CallbackServerContext* context, Call call) {
    return Run(CallRunner::Kind::kWrite, context, std::move(call));
  }

 private:
  // Deletes itself (and so gives back the call's ticket) when gRPC is done
  // with the call.
  class Reactor final : public grpc::ServerUnaryReactor {
   public:
    void Finish(const absl::Status& status, CallRunner::Ticket ticket) {
      ticket_ = std::move(ticket);
      grpc::ServerUnaryReactor::Finish(ToGrpcStatus(status));
    }
    void OnDone() override { delete this; }

   private:
    CallRunner::Ticket ticket_;
  };

  template <typename Call>
  grpc::ServerUnaryReactor* Run(CallRunner::Kind kind, grpc::CallbackServerContext* context,
                                Call call) {
    Reactor* reactor = new Reactor();
    runner_->Run(kind,
                 CallRunner::Incoming{[context] { return CredentialsOf(*context); },
                                      [context] { return context->IsCancelled(); },
                                      [reactor](absl::Status status, CallRunner::Ticket ticket) {
                                        reactor->Finish(status, std::move(ticket));
                                      }},
                 std::move(call));
    return reactor;
  }

  CallRunner* const runner_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_UNARY_CALL_H_
