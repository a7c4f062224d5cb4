#include "broker/service/inbox_streams.h"

#include <deque>

#include "absl/cleanup/cleanup.h"
#include "broker/core/client_status.h"
#include "broker/service/call_credentials.h"
#include "broker/service/status_conversion.h"
#include "grpcpp/server_context.h"

namespace dsr::broker {
namespace {

// Events read from the store at a time, per stream.
constexpr int kBatch = 64;

}  // namespace

// One StreamInbox call. Writes one event at a time; whoever finds the
// stream idle with something new to send starts the next write. Until its
// opening (InboxStreams::Opened) is over the stream belongs to it: if gRPC
// is done with the call meanwhile, the opening deletes it.
class InboxStreams::Stream final : public grpc::ServerWriteReactor<dsr::v1::InboxEvent> {
 public:
  explicit Stream(InboxStreams* owner) : owner_(owner) {}

  // Set by the opening, before the stream is registered; fixed after.
  void SetActor(std::string actor_id, uint64_t cursor) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    actor_id_ = std::move(actor_id);
    cursor_ = cursor;
  }
  const std::string& actor_id() const { return actor_id_; }

  // Starts writing what is pending, else reads what follows the cursor
  // (on the pool: the caller's thread) and starts writing it; unless a
  // write is in flight (its completion goes on).
  void Pump() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_) return;
    if (pending_.empty()) {
      absl::StatusOr<std::vector<dsr::v1::InboxEvent>> events =
          owner_->inbox_->ReadEvents(actor_id_, cursor_, kBatch);
      if (!events.ok()) {
        FinishLocked(ToGrpcStatus(events.status()));
        return;
      }
      for (dsr::v1::InboxEvent& e : *events) {
        cursor_ = e.sequence();
        pending_.push_back(std::move(e));
      }
    }
    WriteNextLocked();
  }

  // Sends the initial metadata, unless the call is finished already (the
  // client cancelled while the opening ran): then false, and the stream
  // must not be registered.
  bool Start() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (finished_) return false;
    StartSendInitialMetadata();
    return true;
  }

  void Close(const grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    FinishLocked(status);
  }

  // The opening is over: from now on gRPC's OnDone deletes the stream.
  void OpeningDone() ABSL_LOCKS_EXCLUDED(mu_) {
    bool done;
    {
      absl::MutexLock lock(&mu_);
      opening_ = false;
      done = done_;
    }
    if (done) Delete();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    // Not ok: the call is ending; OnCancel or OnDone follows.
    if (!ok || finished_) return;
    // What was read already goes at once; reading more is for the pool.
    if (!pending_.empty()) {
      WriteNextLocked();
    } else {
      owner_->pool_->Schedule([owner = owner_, actor = actor_id_] { owner->Pump(actor); });
    }
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      if (opening_) return;
    }
    Delete();
  }

 private:
  void Delete() {
    owner_->Remove(this);
    delete this;
  }

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (pending_.empty()) return;
    current_ = std::move(pending_.front());
    pending_.pop_front();
    writing_ = true;
    StartWrite(&current_);
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  InboxStreams* const owner_;
  // Empty until the opening sets it.
  std::string actor_id_;
  absl::Mutex mu_;
  // The last sequence read from the store (sent or pending).
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<dsr::v1::InboxEvent> pending_ ABSL_GUARDED_BY(mu_);
  dsr::v1::InboxEvent current_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool opening_ ABSL_GUARDED_BY(mu_) = true;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

InboxStreams::InboxStreams(Inbox* inbox, InboxLog* log, Executor* pool, CallRunner* runner,
                           int max_per_actor)
    : inbox_(inbox), pool_(pool), runner_(runner), max_per_actor_(max_per_actor) {
  log->SetListener([this](const std::vector<std::string>& actors) {
    // On the writer's thread, which still holds the mutation lock: hand off.
    for (const std::string& actor : actors) {
      pool_->Schedule([this, actor] { Pump(actor); });
    }
  });
}

grpc::ServerWriteReactor<dsr::v1::InboxEvent>* InboxStreams::Open(
    grpc::CallbackServerContext* context, const dsr::v1::StreamInboxRequest* request) {
  uint64_t rotations_before;
  {
    absl::MutexLock lock(&mu_);
    rotations_before = rotations_;
  }
  Stream* stream = new Stream(this);
  // Read now: once the client cancels, gRPC may free the context before the
  // pool gets to the opening.
  runner_->Authenticate([credentials = CredentialsOf(*context)] { return credentials; },
                        [this, stream, after = request->after_sequence(),
                         from_committed = request->from_committed_cursor(),
                         rotations_before](absl::StatusOr<Principal> principal) {
                          Opened(stream, std::move(principal), after, from_committed,
                                 rotations_before);
                        });
  return stream;
}

void InboxStreams::Opened(Stream* stream, absl::StatusOr<Principal> principal,
                          uint64_t after_sequence, bool from_committed_cursor,
                          uint64_t rotations_before) {
  absl::Cleanup opening_done = [stream] { stream->OpeningDone(); };
  if (!principal.ok()) {
    stream->Close(ToGrpcStatus(principal.status()));
    return;
  }
  absl::StatusOr<std::string> actor_id = Inbox::RequireActor(*principal);
  if (!actor_id.ok()) {
    stream->Close(ToGrpcStatus(actor_id.status()));
    return;
  }
  uint64_t cursor = after_sequence;
  if (from_committed_cursor) {
    absl::StatusOr<dsr::storage::v1::InboxStateRecord> state = inbox_->log().State(*actor_id);
    if (!state.ok()) {
      stream->Close(ToGrpcStatus(state.status()));
      return;
    }
    cursor = state->committed();
  }
  stream->SetActor(*actor_id, cursor);
  {
    absl::MutexLock lock(&mu_);
    if (closing_) {
      stream->Close(
          ToGrpcStatus(ShuttingDown("the broker is shutting down; reconnect and resume")));
      return;
    }
    if (auto rotated = rotated_at_.find(*actor_id);
        rotated != rotated_at_.end() && rotated->second > rotations_before) {
      stream->Close(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                       "the organisation's token was rotated: reconnect with the new one"));
      return;
    }
    if (static_cast<int>(streams_[*actor_id].size()) >= max_per_actor_) {
      stream->Close(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "too many inbox streams open for this actor; close one first"));
      return;
    }
    // Tell the client that the stream is open once it counts (so that its
    // place is taken when the client sees it open), and before any pump can
    // start a write; unless the client has gone meanwhile.
    if (!stream->Start()) return;
    streams_[*actor_id].insert(stream);
    ++count_;
  }
  stream->Pump();
}

void InboxStreams::Pump(const std::string& actor_id) {
  // Streams are removed under mu_ before they are deleted, so holding it
  // keeps them alive while they pump.
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(actor_id);
  if (it == streams_.end()) return;
  for (Stream* stream : it->second) stream->Pump();
}

void InboxStreams::Remove(Stream* stream) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream->actor_id());
  if (it == streams_.end() || it->second.erase(stream) == 0) return;
  if (it->second.empty()) streams_.erase(it);
  --count_;
}

void InboxStreams::CloseAll() {
  absl::MutexLock lock(&mu_);
  closing_ = true;
  for (auto& [actor, streams] : streams_) {
    for (Stream* stream : streams) {
      stream->Close(
          ToGrpcStatus(ShuttingDown("the broker is shutting down; reconnect and resume")));
    }
  }
  auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return count_ == 0; };
  mu_.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(5));
}

void InboxStreams::CloseActor(const std::string& actor_id) {
  absl::MutexLock lock(&mu_);
  rotated_at_[actor_id] = ++rotations_;
  auto it = streams_.find(actor_id);
  if (it == streams_.end()) return;
  for (Stream* stream : it->second) {
    stream->Close(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                               "the organisation's token was rotated: reconnect with the new one"));
  }
}

int InboxStreams::open_streams() const {
  absl::MutexLock lock(&mu_);
  return count_;
}

}  // namespace dsr::broker
