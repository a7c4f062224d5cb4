#ifndef DSR_BROKER_CORE_CALL_RUNNER_H_
#define DSR_BROKER_CORE_CALL_RUNNER_H_

// How every call is served, whatever its transport (gRPC, HTTP): admit it,
// authenticate the caller, run the domain call on a worker pool (it may
// wait for locks and reads, which must not happen on a transport's own
// threads), and answer once everything the call wrote or read is durable.
// A transport only turns its request into credentials and a domain call,
// and the status it gets back into its own answer (ClientStatus, then its
// codes). Reads and writes have separate pools, so that reads never queue
// behind writes waiting for the mutation lock.
//
// Durability: the domain applies writes without waiting for the disk, so
// that concurrent mutations share one sync (group commit, journal.h). The
// answer waits, without holding a thread, for the store's next sync to
// cover the call's write and everything it read; if that sync fails, the
// call ends UNAVAILABLE whatever the domain said.
//
// Admission: calls in flight are counted, so that shutdown can refuse new
// ones (ShuttingDown) and wait for the running ones, and so that their
// number is bounded: past `max_in_flight` a call is refused at once
// (Overloaded), so the pools' queues, and what each queued call holds,
// cannot grow without end under a flood. A call whose client has gone
// before a worker took it is answered CANCELLED without running.
//
// Failed credentials: the answer waits `failed_auth_delay` in the Delayer
// (which bounds how many wait, in all and per client address), so that
// guessing costs time; such a call stops counting as in flight while it
// waits, so failures cannot take honest calls' places. While an address has
// as many failures waiting as the Delayer holds for one, its calls that
// present a token are refused at once, before the token is looked at.
// Thread-safe.

#include <functional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/access/authenticator.h"
#include "broker/access/delayer.h"
#include "broker/base/executor.h"
#include "broker/base/principal.h"
#include "storage/store.h"

namespace dsr::broker {

struct CallRunnerOptions {
  // REQUIRED, all of them; they must outlive every call.
  Executor* reads = nullptr;
  Executor* writes = nullptr;
  const Authenticator* authenticator = nullptr;
  const storage::Store* store = nullptr;
  Delayer* delayer = nullptr;
  // Calls admitted at once. Default: 1,000.
  int max_in_flight = 1000;
  // How long the answer to a failed credential waits. Default: 1 s.
  absl::Duration failed_auth_delay = absl::Seconds(1);
};

class CallRunner {
 public:
  explicit CallRunner(const CallRunnerOptions& options);
  CallRunner(const CallRunner&) = delete;
  CallRunner& operator=(const CallRunner&) = delete;

  enum class Kind { kRead, kWrite };

  // An admitted call counts as in flight until its ticket goes: the
  // transport keeps it until it has sent the answer (so that shutdown waits
  // for that, and the bound covers what the transport still holds). Empty
  // for refusals, which never counted.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept : runner_(std::exchange(other.runner_, nullptr)) {}
    Ticket& operator=(Ticket&& other) noexcept {
      if (this != &other) {
        Release();
        runner_ = std::exchange(other.runner_, nullptr);
      }
      return *this;
    }
    ~Ticket() { Release(); }

   private:
    friend class CallRunner;
    explicit Ticket(CallRunner* runner) : runner_(runner) {}
    void Release() {
      if (runner_ != nullptr) std::exchange(runner_, nullptr)->Done();
    }
    CallRunner* runner_ = nullptr;
  };

  // What the transport gives for one call.
  struct Incoming {
    // The caller's credentials, read on the worker (only for admitted calls).
    absl::AnyInvocable<CallCredentials()> credentials;
    // Whether the client has gone. Optional.
    std::function<bool()> cancelled;
    // Sends the answer: called exactly once, on some thread, which it must
    // not block; keeps the ticket until the answer is sent. Before a
    // transport sends the status it passes it through ClientStatus
    // (client_status.h).
    absl::AnyInvocable<void(absl::Status, Ticket)> finish;
  };
  // The domain call: fills the transport's response and returns the status.
  using Call = absl::AnyInvocable<absl::Status(const Principal&)>;

  // Serves one call (above). `finish` may run before Run returns.
  void Run(Kind kind, Incoming incoming, Call call) ABSL_LOCKS_EXCLUDED(mu_);

  // For a long-lived call (a stream): authenticates on the read pool and
  // calls `done` with the principal, on that pool; or with the refusal (a
  // failed credential's after the delay, from the Delayer's thread; while
  // draining or at the bound, at once). The opening counts as a call in
  // flight until `done` returns (the open stream does not: its limit is
  // per actor).
  using Authenticated = absl::AnyInvocable<void(absl::StatusOr<Principal>)>;
  void Authenticate(absl::AnyInvocable<CallCredentials()> credentials, Authenticated done)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Refuses new calls from now on, then waits until every call in flight is
  // answered or `grace` has passed. Returns whether all are.
  bool Drain(absl::Duration grace) ABSL_LOCKS_EXCLUDED(mu_);

  // Answers to failed credentials waiting to be sent.
  size_t late_refusals() const { return delayer_->pending(); }

 private:
  // Counts a new call in flight; else the refusal (draining, or full).
  absl::Status Admit() ABSL_LOCKS_EXCLUDED(mu_);
  void Done() ABSL_LOCKS_EXCLUDED(mu_);
  // The caller's principal, or the refusal to send; for a failed credential
  // `*late` is set: its refusal waits in the Delayer under `*address`.
  absl::StatusOr<Principal> Check(const CallCredentials& credentials, std::string* address,
                                  bool* late) const;

  Executor* const reads_;
  Executor* const writes_;
  const Authenticator* const authenticator_;
  const storage::Store* const store_;
  Delayer* const delayer_;
  const int max_in_flight_;
  const absl::Duration failed_auth_delay_;
  mutable absl::Mutex mu_;
  // Admitted calls not yet answered.
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_CORE_CALL_RUNNER_H_
