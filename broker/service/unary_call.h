#ifndef DSR_BROKER_SERVICE_UNARY_CALL_H_
#define DSR_BROKER_SERVICE_UNARY_CALL_H_

// How every unary RPC is served: authenticate the caller from its metadata,
// run the domain call on a worker pool (it may wait for locks and reads,
// which must not happen on gRPC's callback threads), and finish the call
// with the mapped status once everything the call wrote or read is durable.
// Reads and writes have separate pools, so that reads never queue behind
// writes waiting for the mutation lock.
//
// Durability: the domain applies writes without waiting for the disk, so
// that concurrent mutations share one sync (group commit, broker/journal/journal.h).
// The answer waits, without holding a thread, for the store's next sync to
// cover the call's write and everything it read; if that sync fails, the
// call ends UNAVAILABLE whatever the domain said.
//
// UnaryCalls also counts the calls in flight, so that shutdown can refuse new
// calls and wait for the running ones to finish, and so that their number is
// bounded: past `max_in_flight` a call is refused at once with
// RESOURCE_EXHAUSTED, so the worker pools' queues (and what each queued call
// holds) cannot grow without end under a flood. A call its client cancelled
// (an HTTP/2 stream reset) before a worker took it is finished without
// running. Thread-safe.

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/access/authenticator.h"
#include "broker/access/delayer.h"
#include "broker/base/executor.h"
#include "broker/base/principal.h"
#include "broker/service/call_credentials.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "storage/store.h"

namespace dsr::broker {

class UnaryCalls {
 public:
  // All must outlive every call.
  // A call whose credential fails is answered after `failed_auth_delay`,
  // from `delayer` (which bounds how many wait, in all and per client
  // address), so that guessing costs time; it stops counting as in flight
  // while it waits, so failures cannot take honest calls' places.
  UnaryCalls(Executor* reads, Executor* writes, const Authenticator* authenticator,
             const storage::Store* store, int max_in_flight, Delayer* delayer,
             absl::Duration failed_auth_delay)
      : reads_(reads),
        writes_(writes),
        authenticator_(authenticator),
        store_(store),
        max_in_flight_(max_in_flight),
        delayer_(delayer),
        failed_auth_delay_(failed_auth_delay) {}

  // Serves one call: `call(const Principal&)` returns the status to send and
  // fills the response before returning. While draining, the call is refused
  // with UNAVAILABLE (the client may retry against a running broker).
  template <typename Call>
  grpc::ServerUnaryReactor* RunRead(grpc::CallbackServerContext* context, Call call) {
    return Run(reads_, context, std::move(call));
  }
  template <typename Call>
  grpc::ServerUnaryReactor* RunWrite(grpc::CallbackServerContext* context, Call call) {
    return Run(writes_, context, std::move(call));
  }

  // Refuses new calls from now on, then waits until every call in flight is
  // done or `grace` has passed. Returns whether all are done.
  bool Drain(absl::Duration grace) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Deletes itself when gRPC is done with the call; an admitted call then
  // stops counting as in flight.
  class Reactor final : public grpc::ServerUnaryReactor {
   public:
    Reactor(UnaryCalls* owner, bool admitted) : owner_(owner), admitted_(admitted) {}
    void OnDone() override;
    // Stops counting as in flight before its finish (a late refusal waits
    // in the Delayer, which bounds it, not in the calls' limit).
    void Release();

   private:
    UnaryCalls* const owner_;
    // Set before Finish; read in OnDone, which follows it.
    bool admitted_;
  };

  template <typename Call>
  grpc::ServerUnaryReactor* Run(Executor* pool, grpc::CallbackServerContext* context, Call call) {
    const Admission admission = Admit();
    Reactor* reactor = new Reactor(this, admission == Admission::kAdmitted);
    if (admission != Admission::kAdmitted) {
      reactor->Finish(Refusal(admission));
      return reactor;
    }
    pool->Schedule([this, context, reactor, call = std::move(call)]() mutable {
      if (context->IsCancelled()) {
        reactor->Finish(grpc::Status::CANCELLED);
        return;
      }
      const CallCredentials credentials = CredentialsOf(*context);
      const std::string address = authenticator_->ClientAddressOf(credentials);
      if (absl::Status waiting =
              CheckGuessesWaiting(credentials, address, *delayer_, failed_auth_delay_);
          !waiting.ok()) {
        reactor->Finish(ToGrpc(waiting));
        return;
      }
      absl::StatusOr<Principal> principal = authenticator_->Authenticate(credentials);
      if (!principal.ok()) {
        FinishLate(reactor, principal.status(), address);
        return;
      }
      FinishWhenDurable(reactor, call(*principal));
    });
    return reactor;
  }

  enum class Admission { kAdmitted, kDraining, kBusy };
  // Counts a new call in flight, unless draining or at the bound.
  Admission Admit() ABSL_LOCKS_EXCLUDED(mu_);
  void Done() ABSL_LOCKS_EXCLUDED(mu_);
  void FinishWhenDurable(Reactor* reactor, absl::Status status) const;
  void FinishLate(Reactor* reactor, absl::Status status, const std::string& address) const;
  static grpc::Status ToGrpc(const absl::Status& status);
  static grpc::Status Refusal(Admission admission);

  Executor* const reads_;
  Executor* const writes_;
  const Authenticator* const authenticator_;
  const storage::Store* const store_;
  const int max_in_flight_;
  Delayer* const delayer_;
  const absl::Duration failed_auth_delay_;
  absl::Mutex mu_;
  // Admitted calls not yet done.
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_UNARY_CALL_H_
