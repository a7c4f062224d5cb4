// Registry: actors and their tokens.

#include "broker/access/authorization.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/base/time_util.h"
#include "broker/base/tokens.h"
#include "broker/journal/idempotency.h"
#include "broker/registry/registry.h"
#include "broker/registry/registry_records.h"
#include "broker/registry/registry_validation.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::ActorRecord;
using dsr::storage::v1::TokenRecord;
using storage::ColumnFamily;

namespace {

void PutToken(storage::WriteBatch& batch, absl::string_view digest, absl::string_view actor_id) {
  TokenRecord owner;
  owner.set_actor_id(std::string(actor_id));
  batch.Put(ColumnFamily::kTokens, storage::keys::Token(digest), owner);
}

}  // namespace

absl::Status Registry::CreateActor(const Principal& principal,
                                   const dsr::v1::CreateActorRequest& request,
                                   dsr::v1::CreateActorResponse* response) {
  DSR_RETURN_IF_ERROR(RequireAdmin(principal));
  DSR_RETURN_IF_ERROR(ValidateId(request.actor_id(), "actor_id"));
  DSR_RETURN_IF_ERROR(ValidateActor(request.actor(), limits_));
  DSR_ASSIGN_OR_RETURN(std::string email, NormalizeContactEmail(request.actor().contact_email(),
                                                                "actor.contact_email"));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "CreateActor", request));
  const std::string key = storage::keys::Actor(request.actor_id());

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (earlier.has_value()) {
    ActorRecord record;
    DSR_RETURN_IF_ERROR(ReadActor(request.actor_id(), &record));
    *response->mutable_actor() = ActorFromRecord(record);
    return absl::OkStatus();
  }
  DSR_ASSIGN_OR_RETURN(bool exists, store_->Contains(ColumnFamily::kActors, key));
  if (exists) return absl::AlreadyExistsError("an actor with this actor_id exists");

  const absl::Time now = mutation.now();
  const std::string token = NewToken(kActorTokenPrefix);
  ActorRecord record;
  record.set_actor_id(request.actor_id());
  record.set_display_name(request.actor().display_name());
  for (int role : request.actor().roles()) record.add_roles(role);
  record.set_contact_email(email);
  *record.mutable_create_time() = ToProtoTime(now);
  record.set_token_digest(Sha256(token));

  storage::WriteBatch& batch = mutation.batch();
  batch.Put(ColumnFamily::kActors, key, record);
  PutToken(batch, record.token_digest(), record.actor_id());
  mutation.RecordCall(ActorName(record.actor_id()));
  mutation.Audit("CreateActor", ActorName(record.actor_id()));
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  *response->mutable_actor() = ActorFromRecord(record);
  response->set_token(token);
  return absl::OkStatus();
}

absl::Status Registry::GetActor(const dsr::v1::GetActorRequest& request,
                                dsr::v1::Actor* actor) const {
  DSR_ASSIGN_OR_RETURN(std::string actor_id, ParseActorName(request.name(), "name"));
  ActorRecord record;
  DSR_RETURN_IF_ERROR(ReadActor(actor_id, &record));
  *actor = ActorFromRecord(record);
  return absl::OkStatus();
}

absl::Status Registry::ListActors(const dsr::v1::ListActorsRequest& request,
                                  dsr::v1::ListActorsResponse* response) const {
  PageQuery query{ColumnFamily::kActors, "", QueryFingerprint("ListActors", ""),
                  request.page_token(), 0};
  DSR_ASSIGN_OR_RETURN(query.page_size, ResolvePageSize(request.page_size(), limits_));
  query.max_reply_bytes = limits_.max_reply_bytes;
  DSR_ASSIGN_OR_RETURN(
      std::string next,
      ScanPage(*store_, query,
               [&](absl::string_view, absl::string_view value) -> absl::StatusOr<size_t> {
                 ActorRecord record;
                 if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                   return absl::DataLossError("a stored actor does not parse");
                 }
                 dsr::v1::Actor* actor = response->add_actors();
                 *actor = ActorFromRecord(record);
                 return ReplyBytes(*actor);
               }));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status Registry::RotateActorToken(const Principal& principal,
                                        const dsr::v1::RotateActorTokenRequest& request,
                                        dsr::v1::RotateActorTokenResponse* response) {
  DSR_RETURN_IF_ERROR(RequireAdmin(principal));
  DSR_ASSIGN_OR_RETURN(std::string actor_id, ParseActorName(request.name(), "name"));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "RotateActorToken", request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  // A replay says the rotation happened; its token was shown once already.
  if (earlier.has_value()) return absl::OkStatus();
  ActorRecord record;
  DSR_RETURN_IF_ERROR(ReadActor(actor_id, &record));
  const std::string token = NewToken(kActorTokenPrefix);
  storage::WriteBatch& batch = mutation.batch();
  batch.Delete(ColumnFamily::kTokens, storage::keys::Token(record.token_digest()));
  record.set_token_digest(Sha256(token));
  batch.Put(ColumnFamily::kActors, storage::keys::Actor(actor_id), record);
  PutToken(batch, record.token_digest(), actor_id);
  mutation.RecordCall(request.name());
  mutation.Audit("RotateActorToken", request.name());
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  if (on_token_rotated_) on_token_rotated_(actor_id);
  response->set_token(token);
  return absl::OkStatus();
}

}  // namespace dsr::broker
