#ifndef DSR_BROKER_SERVICE_INBOX_STREAMS_H_
#define DSR_BROKER_SERVICE_INBOX_STREAMS_H_

// StreamInbox: each open stream sends the actor's backlog after its cursor,
// then new events as the InboxLog announces them, without polling and
// without a thread per stream (gRPC's callback API). Every store read (the
// credential, the cursor, the events) runs on the core's read pool, never on
// gRPC's callback threads. Thread-safe.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/executor.h"
#include "broker/core/call_runner.h"
#include "broker/inbox/inbox.h"
#include "dsr/v1/inbox_service.pb.h"
#include "grpcpp/support/server_callback.h"

namespace dsr::broker {

class InboxStreams {
 public:
  // All must outlive the streams. Registers itself as `log`'s listener. An
  // actor may hold at most `max_per_actor` streams open at once; one more is
  // refused with RESOURCE_EXHAUSTED.
  // Streams are authenticated by `runner` (a failed credential is refused
  // late, as unary calls are) and read on `pool`.
  InboxStreams(Inbox* inbox, InboxLog* log, Executor* pool, CallRunner* runner, int max_per_actor);

  // Opens a stream for the calling actor.
  grpc::ServerWriteReactor<dsr::v1::InboxEvent>* Open(grpc::CallbackServerContext* context,
                                                      const dsr::v1::StreamInboxRequest* request);

  // Ends every open stream with UNAVAILABLE (the client reconnects to a
  // running broker) and refuses new ones. Returns once all are done.
  void CloseAll() ABSL_LOCKS_EXCLUDED(mu_);

  // Ends every open stream of `actor_id` with UNAUTHENTICATED: its token
  // was rotated, and a stream opened with the old one must not go on
  // receiving tasks (the client reconnects with the new token).
  void CloseActor(const std::string& actor_id) ABSL_LOCKS_EXCLUDED(mu_);

  int open_streams() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class Stream;

  // The rest of Open, on the pool once the caller is authenticated: reads
  // the cursor, registers the stream and starts sending.
  void Opened(Stream* stream, absl::StatusOr<Principal> principal, uint64_t after_sequence,
              bool from_committed_cursor, uint64_t rotations_before) ABSL_LOCKS_EXCLUDED(mu_);
  // Sends what is new to every stream of `actor_id`.
  void Pump(const std::string& actor_id) ABSL_LOCKS_EXCLUDED(mu_);
  void Remove(Stream* stream) ABSL_LOCKS_EXCLUDED(mu_);

  Inbox* const inbox_;
  Executor* const pool_;
  CallRunner* const runner_;
  const int max_per_actor_;
  mutable absl::Mutex mu_;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, absl::flat_hash_set<Stream*>> streams_ ABSL_GUARDED_BY(mu_);
  int count_ ABSL_GUARDED_BY(mu_) = 0;
  // Rotations so far, and the last one of each actor: a stream whose
  // credential was checked before its actor's token was rotated, and that
  // registers after, is closed as if it had been open then.
  uint64_t rotations_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, uint64_t> rotated_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_INBOX_STREAMS_H_
