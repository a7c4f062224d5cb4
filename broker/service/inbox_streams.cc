#include "broker/service/inbox_streams.h"

#include <deque>

#include "broker/service/call_credentials.h"
#include "broker/service/status_conversion.h"
#include "grpcpp/server_context.h"

namespace dsr::broker {
namespace {

// Events read from the store at a time, per stream.
constexpr int kBatch = 64;

}  // namespace

// One open StreamInbox call. Writes one event at a time; whoever finds the
// stream idle with something new to send starts the next write.
class InboxStreams::Stream final : public grpc::ServerWriteReactor<dsr::v1::InboxEvent> {
 public:
  Stream(InboxStreams* owner, std::string actor_id, uint64_t cursor)
      : owner_(owner), actor_id_(std::move(actor_id)), cursor_(cursor) {}

  const std::string& actor_id() const { return actor_id_; }

  // Reads what follows the cursor and starts writing it, unless a write is
  // in flight (its completion pumps again).
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
    if (pending_.empty()) return;
    current_ = std::move(pending_.front());
    pending_.pop_front();
    writing_ = true;
    StartWrite(&current_);
  }

  void Close(const grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    FinishLocked(status);
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      // Not ok: the call is ending; OnCancel or OnDone follows.
      if (!ok) return;
    }
    Pump();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    owner_->Remove(this);
    delete this;
  }

 private:
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  InboxStreams* const owner_;
  const std::string actor_id_;
  absl::Mutex mu_;
  // The last sequence read from the store (sent or pending).
  uint64_t cursor_ ABSL_GUARDED_BY(mu_);
  std::deque<dsr::v1::InboxEvent> pending_ ABSL_GUARDED_BY(mu_);
  dsr::v1::InboxEvent current_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

InboxStreams::InboxStreams(Inbox* inbox, InboxLog* log, Executor* pool,
                           const Authenticator* authenticator, int max_per_actor, Delayer* delayer,
                           absl::Duration failed_auth_delay)
    : inbox_(inbox),
      pool_(pool),
      authenticator_(authenticator),
      max_per_actor_(max_per_actor),
      delayer_(delayer),
      failed_auth_delay_(failed_auth_delay) {
  log->SetListener([this](const std::vector<std::string>& actors) {
    // On the writer's thread, which still holds the mutation lock: hand off.
    for (const std::string& actor : actors) {
      pool_->Schedule([this, actor] { Pump(actor); });
    }
  });
}

grpc::ServerWriteReactor<dsr::v1::InboxEvent>* InboxStreams::Open(
    grpc::CallbackServerContext* context, const dsr::v1::StreamInboxRequest* request) {
  // A reactor that only reports an error, at once or later.
  class Refusal final : public grpc::ServerWriteReactor<dsr::v1::InboxEvent> {
   public:
    Refusal() = default;
    explicit Refusal(const grpc::Status& status) { Finish(status); }
    void OnDone() override { delete this; }
  };

  uint64_t rotations_before;
  {
    absl::MutexLock lock(&mu_);
    rotations_before = rotations_;
  }
  const CallCredentials credentials = CredentialsOf(*context);
  const std::string address = authenticator_->ClientAddressOf(credentials);
  if (absl::Status waiting =
          CheckGuessesWaiting(credentials, address, *delayer_, failed_auth_delay_);
      !waiting.ok()) {
    return new Refusal(ToGrpcStatus(waiting));
  }
  absl::StatusOr<Principal> principal = authenticator_->Authenticate(credentials);
  if (!principal.ok()) {
    // As for unary calls: a failed credential is answered late.
    auto* refusal = new Refusal();
    delayer_->After(
        failed_auth_delay_, address,
        [refusal, status = ToGrpcStatus(principal.status())] { refusal->Finish(status); });
    return refusal;
  }
  absl::StatusOr<std::string> actor_id = Inbox::RequireActor(*principal);
  if (!actor_id.ok()) return new Refusal(ToGrpcStatus(actor_id.status()));
  uint64_t cursor = request->after_sequence();
  if (request->from_committed_cursor()) {
    absl::StatusOr<dsr::storage::v1::InboxStateRecord> state = inbox_->log().State(*actor_id);
    if (!state.ok()) return new Refusal(ToGrpcStatus(state.status()));
    cursor = state->committed();
  }
  Stream* stream = new Stream(this, *actor_id, cursor);
  // Tell the client at once that the stream is open, before any event (and
  // before any pump can start a write).
  stream->StartSendInitialMetadata();
  {
    absl::MutexLock lock(&mu_);
    if (closing_) {
      stream->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the broker is shutting down"));
      return stream;
    }
    if (auto rotated = rotated_at_.find(*actor_id);
        rotated != rotated_at_.end() && rotated->second > rotations_before) {
      stream->Close(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                       "the organisation's token was rotated: reconnect with the new one"));
      return stream;
    }
    if (static_cast<int>(streams_[*actor_id].size()) >= max_per_actor_) {
      stream->Close(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "too many inbox streams open for this actor; close one first"));
      return stream;
    }
    streams_[*actor_id].insert(stream);
    ++count_;
  }

  pool_->Schedule([this, actor = *actor_id] { Pump(actor); });
  return stream;
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
      stream->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the broker is shutting down; reconnect and resume"));
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
