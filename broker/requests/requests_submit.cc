// Requests: submission and routing.

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/base/names.h"
#include "broker/base/time_util.h"
#include "broker/base/tokens.h"
#include "broker/identity/identifiers.h"
#include "broker/journal/idempotency.h"
#include "broker/requests/deadlines.h"
#include "broker/requests/identity_policy.h"
#include "broker/requests/milestones.h"
#include "broker/requests/request_records.h"
#include "broker/requests/request_types.h"
#include "broker/requests/requests.h"
#include "broker/requests/routing.h"
#include "broker/requests/task_creation.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::SubjectRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

namespace {

// One message for both limits on SubmitRequest: a caller must not learn
// whether a person's identifiers were used recently by someone else.
constexpr absl::string_view kTooManyRequests = "too many requests";

// Request ids carry 130 random bits (SPEC: at least 128).
constexpr int kRequestIdBits = 130;

// A receipt the client made: the prefix and 256 bits or more in base64url.
absl::Status CheckClientReceipt(absl::string_view token) {
  absl::string_view rest = token;
  const bool well_formed =
      absl::ConsumePrefix(&rest, kReceiptTokenPrefix) && rest.size() >= 43 && rest.size() <= 128 &&
      std::all_of(rest.begin(), rest.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (well_formed) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "receipt_token must be dsr_receipt_ and 43 to 128 characters of [A-Za-z0-9_-] (256 "
      "random bits in base64url)");
}

// Checks and normalises the caller's request into a record (without ids,
// times and tasks) and its personal data.
absl::Status Validate(const dsr::v1::Request& request, const Limits& limits,
                      RequestRecord* out_record, SubjectRecord* out_subject) {
  RequestRecord& record = *out_record;
  SubjectRecord& subject = *out_subject;
  if (TraitsOf(request.type()) == nullptr) {
    return absl::InvalidArgumentError("request.type is required");
  }
  record.set_type(request.type());
  if (request.subject_identifiers().empty() ||
      request.subject_identifiers_size() > limits.max_identifiers) {
    return absl::InvalidArgumentError(absl::StrCat("request.subject_identifiers must have 1 to ",
                                                   limits.max_identifiers, " entries"));
  }
  for (int i = 0; i < request.subject_identifiers_size(); ++i) {
    const dsr::v1::SubjectIdentifier& id = request.subject_identifiers(i);
    const std::string field = absl::StrCat("request.subject_identifiers[", i, "]");
    if (id.type() == dsr::v1::SubjectIdentifier::TYPE_UNSPECIFIED ||
        !dsr::v1::SubjectIdentifier::Type_IsValid(id.type())) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".type is required"));
    }
    DSR_ASSIGN_OR_RETURN(std::string value,
                         NormalizeIdentifier(id.type(), id.value(), limits.max_identifier_bytes,
                                             absl::StrCat(field, ".value")));
    dsr::storage::v1::SubjectIdentifierRecord* stored = subject.add_identifiers();
    stored->set_type(id.type());
    stored->set_value(std::move(value));
  }
  if (request.targets().empty() || request.targets_size() > limits.max_targets) {
    return absl::InvalidArgumentError(
        absl::StrCat("request.targets must have 1 to ", limits.max_targets, " entries"));
  }
  *record.mutable_targets() = request.targets();
  if (!dsr::v1::Request::LineageScope_IsValid(request.lineage_scope())) {
    return absl::InvalidArgumentError("request.lineage_scope has an unknown value");
  }
  record.set_lineage_scope(request.lineage_scope() == dsr::v1::Request::LINEAGE_SCOPE_UNSPECIFIED
                               ? dsr::v1::Request::DOWNSTREAM
                               : request.lineage_scope());
  if (request.details().size() > limits.max_free_text_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request.details must be at most ", limits.max_free_text_bytes, " bytes"));
  }
  subject.set_details(request.details());
  return absl::OkStatus();
}

}  // namespace

absl::Status Requests::Submit(const Principal& principal,
                              const dsr::v1::SubmitRequestRequest& request,
                              dsr::v1::SubmitRequestResponse* response) {
  RequestRecord record;
  SubjectRecord subject;
  if (options_.submits_per_address != nullptr && !principal.client_address().empty()) {
    DSR_RETURN_IF_ERROR(
        options_.submits_per_address->Take(principal.client_address(), kTooManyRequests));
  }
  DSR_RETURN_IF_ERROR(Validate(request.request(), options_.limits, &record, &subject));
  if (!request.receipt_token().empty())
    DSR_RETURN_IF_ERROR(CheckClientReceipt(request.receipt_token()));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call, IdempotentCall::Prepare(principal, "SubmitRequest",
                                                                    request, options_.pseudonyms));
  if (request.verification_tokens_size() > options_.limits.max_identifiers) {
    return absl::InvalidArgumentError(absl::StrCat("verification_tokens must have at most ",
                                                   options_.limits.max_identifiers, " entries"));
  }
  // What the tokens prove, checked before the lock (and again under it,
  // where they are spent): the policy and the attestation need it, and a
  // refusal costs nothing. A retry finds its tokens spent by its first
  // call: it replays that call instead.
  absl::StatusOr<std::vector<std::optional<Proof>>> proofs =
      options_.verifications->Peek(request.verification_tokens(), subject, options_.clock->Now());
  absl::Status policy = proofs.status();
  if (policy.ok() && options_.require_verification) {
    policy = CheckIdentityPolicy(record.type(), subject, *proofs);
  }
  if (!policy.ok()) {
    if (call.keyed()) {
      Journal::Mutation mutation(options_.journal, &call);
      DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
      if (earlier.has_value()) {
        return ReissueReceipt(mutation, principal, *earlier, request.receipt_token(), response);
      }
    }
    return policy;
  }

  // What needs no lock is done before taking it, so that concurrent submits
  // overlap: the ids, the receipt, the pseudonyms, the sealed personal data.
  // A retry or a refusal below throws them away.
  // The per-person limit counts a person's requests from one client
  // address: a refusal then tells the caller only what that address did,
  // never that someone else filed in that person's name, and nobody can use
  // up a stranger's allowance from elsewhere.
  std::vector<std::string> pseudonyms;
  if (options_.submits_per_subject != nullptr) {
    for (const auto& id : subject.identifiers()) {
      pseudonyms.push_back(absl::StrCat(principal.client_address(), "/",
                                        options_.pseudonyms->Of(id.type(), id.value())));
    }
  }
  const std::string receipt =
      request.receipt_token().empty() ? NewToken(kReceiptTokenPrefix) : request.receipt_token();
  record.set_request_id(NewRandomId(kRequestIdBits));
  record.set_receipt_digest(Sha256(receipt));
  record.set_submit_idempotency_key(call.StorageKey());
  const std::string name = RequestName(record.request_id());
  for (int i = 0; i < subject.identifiers_size(); ++i) {
    subject.mutable_identifiers(i)->set_verified((*proofs)[i].has_value());
  }
  // The person's address for the broker's messages: the first verified
  // email.
  for (int i = 0; i < subject.identifiers_size(); ++i) {
    if ((*proofs)[i].has_value() &&
        subject.identifiers(i).type() == dsr::v1::SubjectIdentifier::EMAIL) {
      subject.set_contact_email(subject.identifiers(i).value());
      break;
    }
  }
  if (request.email_updates() && subject.contact_email().empty()) {
    return absl::InvalidArgumentError(
        "email_updates needs a verified email address on the request: verify one and pass its "
        "token in verification_tokens");
  }
  if (!request.language_code().empty() && request.language_code() != "en" &&
      request.language_code() != "fr") {
    return absl::InvalidArgumentError("language_code must be en or fr");
  }
  subject.set_language_code(request.language_code());
  record.set_email_updates(request.email_updates());
  // Signing and sealing the personal data are the costly part: done before
  // the lock.
  if (std::any_of(proofs->begin(), proofs->end(), [](const auto& p) { return p.has_value(); })) {
    DSR_ASSIGN_OR_RETURN(
        *subject.mutable_attestation(),
        options_.attestor->Attest(name, record.type(), subject, *proofs, options_.clock->Now()));
  }
  storage::WriteBatch prepared = options_.store->NewWriteBatch();
  // The verified identifiers index the request, for ListRequests.
  for (int i = 0; i < subject.identifiers_size(); ++i) {
    if (!(*proofs)[i].has_value()) continue;
    const auto& id = subject.identifiers(i);
    std::string key = storage::keys::SubjectRequest(options_.pseudonyms->Of(id.type(), id.value()),
                                                    record.request_id());
    prepared.PutEmpty(ColumnFamily::kSubjectRequests, key);
    record.add_subject_index_keys(std::move(key));
  }
  DSR_RETURN_IF_ERROR(options_.vault->SealNew(prepared, subject, &record));
  dsr::storage::v1::ReceiptRecord opens;
  opens.set_request_id(record.request_id());
  prepared.Put(ColumnFamily::kReceipts, storage::keys::Receipt(record.receipt_digest()), opens);

  std::vector<TaskRecord> tasks;
  RoutePlan plan;
  {
    Journal::Mutation mutation(options_.journal, &call);
    DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
    if (earlier.has_value()) {
      return ReissueReceipt(mutation, principal, *earlier, request.receipt_token(), response);
    }
    if (!request.receipt_token().empty()) {
      DSR_ASSIGN_OR_RETURN(
          bool taken, options_.store->Contains(ColumnFamily::kReceipts,
                                               storage::keys::Receipt(record.receipt_digest())));
      if (taken) {
        return absl::InvalidArgumentError("receipt_token is in use already; make a new random one");
      }
    }

    // The tokens are spent with the request; one spent meanwhile (by a
    // concurrent submission) refuses this one.
    mutation.Adopt(std::move(prepared));
    DSR_RETURN_IF_ERROR(
        options_.verifications->Spend(mutation, request.verification_tokens(), subject).status());

    std::vector<std::string> roots;
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < record.targets_size(); ++i) {
      DSR_ASSIGN_OR_RETURN(
          std::vector<std::string> holdings,
          ExpandTarget(record.targets(i), absl::StrCat("request.targets[", i, "]")));
      for (std::string& h : holdings) {
        if (seen.insert(h).second) roots.push_back(std::move(h));
      }
    }
    DSR_ASSIGN_OR_RETURN(
        plan, RouteRequest(*options_.graph, roots,
                           static_cast<dsr::v1::Request::LineageScope>(record.lineage_scope()),
                           RouteLimitsOf(options_.limits)));
    if (plan.routes.empty()) {
      return absl::FailedPreconditionError(
          "the request reaches no active holding: every target is retired or has no holdings");
    }
    if (options_.submits_per_subject != nullptr) {
      DSR_RETURN_IF_ERROR(
          options_.submits_per_subject->TakeAll(std::move(pseudonyms), kTooManyRequests));
    }

    const absl::Time now = mutation.now();
    storage::WriteBatch& batch = mutation.batch();
    *record.mutable_create_time() = ToProtoTime(now);
    record.set_task_count(plan.routes.size());
    record.set_open_task_count(plan.routes.size());
    InboxAppender& inbox = mutation.inbox();
    absl::flat_hash_map<std::string, uint64_t> numbers;
    DSR_ASSIGN_OR_RETURN(tasks,
                         CreateTasks(record.request_id(), 1, plan, numbers, now, batch, inbox));
    QueueMilestone(batch, &record, dsr::storage::v1::OutboxRecord::FILED, 0, now);
    batch.Put(ColumnFamily::kRequests, storage::keys::Request(record.request_id()), record);
    mutation.RecordCall(name);
    mutation.Audit("SubmitRequest", name);
    DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  }

  DSR_RETURN_IF_ERROR(FillResponse(record, tasks, 0, options_.limits.max_page_size,
                                   response->mutable_request(), response->mutable_tasks(),
                                   response->mutable_next_page_token(), &subject, &plan));
  response->set_receipt_token(receipt);
  return absl::OkStatus();
}

absl::Status Requests::ReissueReceipt(Journal::Mutation& mutation, const Principal& principal,
                                      const std::string& earlier, const std::string& client_receipt,
                                      dsr::v1::SubmitRequestResponse* response) {
  // A retry: the first response may never have reached the person. Nothing
  // is routed again.
  DSR_ASSIGN_OR_RETURN(std::string request_id, ParseRequestName(earlier, "request_id"));
  RequestRecord record;
  std::vector<TaskRecord> tasks;
  DSR_RETURN_IF_ERROR(Read(request_id, &record, &tasks));
  if (!client_receipt.empty()) {
    // The retry matched the first call's fingerprint, receipt included: the
    // caller holds the receipt already, and gets the request with it.
    DSR_RETURN_IF_ERROR(FillResponse(record, tasks, 0, options_.limits.max_page_size,
                                     response->mutable_request(), response->mutable_tasks(),
                                     response->mutable_next_page_token()));
    response->set_receipt_token(client_receipt);
    return absl::OkStatus();
  }
  if (principal.is_anonymous()) {
    // Anonymous callers share one key space: a new receipt would go to
    // whoever replays the key with the same request, the person's
    // identifiers included.
    return absl::FailedPreconditionError(
        "this request_id was used already: open the request with the receipt of the first "
        "response (to make retries safe, send a receipt_token of your own)");
  }
  // The admin, an actor or a receipt holder: the key is theirs alone. A new
  // receipt opens the same request (the first stays valid).
  const std::string receipt = NewToken(kReceiptTokenPrefix);
  dsr::storage::v1::ReceiptRecord opens;
  opens.set_request_id(request_id);
  mutation.batch().Put(ColumnFamily::kReceipts, storage::keys::Receipt(Sha256(receipt)), opens);
  mutation.Audit("ReissueReceipt", RequestName(request_id));
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  DSR_RETURN_IF_ERROR(FillResponse(record, tasks, 0, options_.limits.max_page_size,
                                   response->mutable_request(), response->mutable_tasks(),
                                   response->mutable_next_page_token()));
  response->set_receipt_token(receipt);
  return absl::OkStatus();
}

}  // namespace dsr::broker
