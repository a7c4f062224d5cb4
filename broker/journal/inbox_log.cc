#include "broker/journal/inbox_log.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "broker/base/time_util.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::InboxStateRecord;

absl::StatusOr<InboxStateRecord> InboxLog::State(const std::string& actor_id) const {
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(actor_id);
  if (it != cache_.end()) return it->second;
  InboxStateRecord state;
  absl::Status read =
      store_->Get(storage::ColumnFamily::kInboxState, storage::keys::InboxState(actor_id), &state);
  if (!read.ok() && !absl::IsNotFound(read)) return read;
  cache_[actor_id] = state;
  // A mutation reads the state (and so caches it) before it applies a
  // batch, so what is stored when the cache misses is durable: the events up
  // to it may be delivered.
  durable_.try_emplace(actor_id, state.last_sequence());
  return state;
}

InboxLog::~InboxLog() {
  // Callbacks run in order, so this returns after every earlier one.
  store_->AwaitDurable().IgnoreError();
}

void InboxLog::Publish(const absl::flat_hash_map<std::string, InboxStateRecord>& states) {
  std::vector<std::pair<std::string, uint64_t>> changed;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [actor, state] : states) {
      InboxStateRecord& cached = cache_[actor];
      if (state.last_sequence() != cached.last_sequence()) {
        // The baseline was set when the state was cached (State); this is
        // a backstop for a state cached otherwise.
        durable_.try_emplace(actor, cached.last_sequence());
        changed.emplace_back(actor, state.last_sequence());
      }
      cached = state;
    }
  }
  if (changed.empty()) return;
  store_->WhenDurable([this, changed = std::move(changed)](absl::Status synced) mutable {
    if (!synced.ok()) {
      // Not durable yet: a recovery makes it so, a restart may drop it.
      {
        absl::MutexLock lock(&mu_);
        std::move(changed.begin(), changed.end(), std::back_inserter(held_back_));
      }
      // Told at once of a failure that a recovery (and its Recovered call)
      // may have ended since: then these events are durable.
      if (store_->health().ok()) Recovered();
      return;
    }
    MakeDeliverable(changed);
  });
}

void InboxLog::Recovered() {
  std::vector<std::pair<std::string, uint64_t>> held_back;
  {
    absl::MutexLock lock(&mu_);
    held_back.swap(held_back_);
  }
  if (!held_back.empty()) MakeDeliverable(held_back);
}

void InboxLog::MakeDeliverable(const std::vector<std::pair<std::string, uint64_t>>& changed) {
  std::vector<std::string> actors;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [actor, last] : changed) {
      uint64_t& durable = durable_[actor];
      durable = std::max(durable, last);
      actors.push_back(actor);
    }
  }
  if (listener_) listener_(actors);
}

absl::StatusOr<uint64_t> InboxLog::Deliverable(const std::string& actor_id) const {
  // Loading the state fixes the actor's durable baseline before any
  // mutation can apply a batch for it.
  DSR_RETURN_IF_ERROR(State(actor_id).status());
  absl::MutexLock lock(&mu_);
  return durable_[actor_id];
}

absl::StatusOr<InboxStateRecord*> InboxAppender::StateOf(const std::string& actor_id) {
  auto it = states_.find(actor_id);
  if (it != states_.end()) return &it->second;
  DSR_ASSIGN_OR_RETURN(InboxStateRecord state, log_->State(actor_id));
  return &(states_[actor_id] = state);
}

absl::Status InboxAppender::Append(const std::string& actor_id, dsr::v1::InboxEvent::Kind kind,
                                   const std::string& resource_name) {
  DSR_ASSIGN_OR_RETURN(InboxStateRecord * state, StateOf(actor_id));
  state->set_last_sequence(state->last_sequence() + 1);
  dsr::storage::v1::InboxEventRecord event;
  event.set_sequence(state->last_sequence());
  event.set_kind(kind);
  if (IsLinkEvent(kind)) {
    event.set_link(resource_name);
  } else {
    event.set_task(resource_name);
  }
  *event.mutable_event_time() = ToProtoTime(now_);
  batch_->Put(storage::ColumnFamily::kInbox,
              storage::keys::InboxEvent(actor_id, state->last_sequence()), event);
  batch_->Put(storage::ColumnFamily::kInboxState, storage::keys::InboxState(actor_id), *state);
  return absl::OkStatus();
}

absl::Status InboxAppender::SetCommitted(const std::string& actor_id, uint64_t cursor) {
  DSR_ASSIGN_OR_RETURN(InboxStateRecord * state, StateOf(actor_id));
  state->set_committed(cursor);
  batch_->Put(storage::ColumnFamily::kInboxState, storage::keys::InboxState(actor_id), *state);
  return absl::OkStatus();
}

}  // namespace dsr::broker
