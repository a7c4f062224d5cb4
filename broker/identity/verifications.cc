#include "broker/identity/verifications.h"

#include <openssl/rand.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/base/names.h"
#include "broker/base/time_util.h"
#include "broker/base/tokens.h"
#include "broker/identity/identifiers.h"
#include "broker/identity/messages.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/identity_records.pb.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::VerificationRecord;
using dsr::storage::v1::VerifiedTokenRecord;
using dsr::v1::SubjectIdentifier;
using storage::ColumnFamily;

namespace {

constexpr int kCodeDigits = 8;
constexpr int kVerificationIdBits = 130;
constexpr absl::string_view kVerificationPrefix = "verifications/";
constexpr absl::string_view kChallengePrefix = "dsr_challenge_";
// One message for both limits on CreateVerification.
constexpr absl::string_view kTooMany = "too many verifications asked for";
constexpr absl::string_view kTooManyConfirms = "too many confirmations tried";
// A challenge page holds the challenge and perhaps a newline.
constexpr size_t kMaxChallengeBody = 1024;

// A uniformly random code of kCodeDigits decimal digits.
std::string NewCode() {
  std::string code;
  while (static_cast<int>(code.size()) < kCodeDigits) {
    unsigned char byte = 0;
    RAND_bytes(&byte, 1);
    if (byte >= 250) continue;  // 250 = 25 * 10: keeps the digits uniform
    code.push_back(static_cast<char>('0' + byte % 10));
  }
  return code;
}

absl::StatusOr<std::string> ParseVerificationName(absl::string_view name) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, kVerificationPrefix) || !IsValidId(id)) {
    return absl::InvalidArgumentError("name must be verifications/{verification}");
  }
  return std::string(id);
}

int MethodOf(SubjectIdentifier::Type type) {
  switch (type) {
    case SubjectIdentifier::EMAIL:
      return dsr::v1::EMAIL_CODE;
    case SubjectIdentifier::PHONE:
      return dsr::v1::PHONE_CODE;
    case SubjectIdentifier::URL:
      return dsr::v1::HTTP_CHALLENGE;
    default:
      return dsr::v1::VERIFICATION_METHOD_UNSPECIFIED;
  }
}

// The host part of a normalised URL: after "scheme://", before the port,
// path, query or fragment.
std::string HostOf(absl::string_view url) {
  const size_t start = url.find("://");
  absl::string_view rest = url.substr(start == absl::string_view::npos ? 0 : start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != absl::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

// Whether `host` is an IP address rather than a name: the broker fetches
// challenges only from names, not to be pointed at addresses of its own
// network.
bool IsAddressLiteral(absl::string_view host) {
  if (!host.empty() && host.front() == '[') return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

std::string ChallengeUrl(absl::string_view host, absl::string_view challenge) {
  return absl::StrCat("https://", host, "/.well-known/dsr-challenge/", challenge);
}

void FillVerification(absl::string_view id, const SubjectIdentifier& identifier,
                      const VerificationRecord& record, dsr::v1::Verification* out) {
  out->set_name(absl::StrCat(kVerificationPrefix, id));
  *out->mutable_identifier() = identifier;
  out->set_method(static_cast<dsr::v1::VerificationMethod>(record.method()));
  *out->mutable_expire_time() = record.expire_time();
  out->set_attempts_left(record.attempts_left());
}

}  // namespace

absl::StatusOr<std::unique_ptr<Verifications>> Verifications::Create(
    const VerificationsOptions& options) {
  if (options.store == nullptr || options.journal == nullptr || options.pseudonyms == nullptr) {
    return absl::InvalidArgumentError("Verifications needs a store, a journal and pseudonyms");
  }
  if (options.code_lifetime <= absl::ZeroDuration() ||
      options.token_lifetime <= absl::ZeroDuration() || options.code_attempts < 1) {
    return absl::InvalidArgumentError(
        "verification lifetimes must be positive, and attempts at least 1");
  }
  return std::unique_ptr<Verifications>(new Verifications(options));
}

std::string Verifications::TokenDigest(absl::string_view token) const {
  return options_.pseudonyms->Digest(
      absl::StrCat("verification token", std::string(1, '\0'), token));
}

std::string Verifications::SecretDigest(absl::string_view verification_id,
                                        absl::string_view secret) const {
  return options_.pseudonyms->Digest(absl::StrCat("verification secret", std::string(1, '\0'),
                                                  verification_id, std::string(1, '\0'), secret));
}

absl::Status Verifications::Start(const Principal& principal,
                                  const dsr::v1::CreateVerificationRequest& request,
                                  dsr::v1::Verification* response) {
  const SubjectIdentifier::Type type = request.identifier().type();
  if (type == SubjectIdentifier::TYPE_UNSPECIFIED || !SubjectIdentifier::Type_IsValid(type)) {
    return absl::InvalidArgumentError("identifier.type is required");
  }
  if (MethodOf(type) == dsr::v1::VERIFICATION_METHOD_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the broker cannot verify ", SubjectIdentifier::Type_Name(type),
        " identifiers: send them with a request beside a verified email address or phone "
        "number, as unverified hints for the holders"));
  }
  if (!request.language_code().empty() && request.language_code() != "en" &&
      request.language_code() != "fr") {
    return absl::InvalidArgumentError("language_code must be en or fr");
  }
  DSR_ASSIGN_OR_RETURN(std::string value, NormalizeIdentifier(type, request.identifier().value(),
                                                              options_.limits.max_identifier_bytes,
                                                              "identifier.value"));
  SubjectIdentifier identifier;
  identifier.set_type(type);
  identifier.set_value(std::move(value));
  MessageSender* channel = type == SubjectIdentifier::EMAIL   ? options_.email
                           : type == SubjectIdentifier::PHONE ? options_.phone
                                                              : nullptr;
  if (type != SubjectIdentifier::URL && channel == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this broker cannot send codes to ", SubjectIdentifier::Type_Name(type),
        " identifiers (its operator configured no sender): verify another identifier"));
  }
  if (type == SubjectIdentifier::URL && options_.web == nullptr) {
    return absl::FailedPreconditionError(
        "this broker does not verify web sites: verify an email address instead");
  }
  // Refusals that spend nothing of the caller's allowance come first.
  if (type == SubjectIdentifier::URL) {
    // What a served challenge proves is control of https://HOST/: so only
    // such an origin is verified (not a path on a shared host, another
    // scheme or port, or a URL with a user part).
    const std::string host = HostOf(identifier.value());
    if (host.empty() || IsAddressLiteral(host) ||
        identifier.value() != absl::StrCat("https://", host, "/")) {
      return absl::InvalidArgumentError(
          "to verify a web site, give its origin, https://HOST/ with a host name: the broker "
          "proves control of the host, not of a path, a port or an IP address");
    }
  } else if (!channel->HasRoom()) {
    // A code that could not be queued would be lost after the answer.
    return absl::ResourceExhaustedError("the broker cannot send codes now; retry in a minute");
  }
  const std::string pseudonym = options_.pseudonyms->Of(type, identifier.value());
  // The per-identifier limit counts every caller, so that nobody can flood
  // someone's mailbox from many addresses; its refusal tells a caller only
  // that codes were asked for that identifier lately, in the same words as
  // the per-address one.
  if (options_.starts_per_address != nullptr && !principal.client_address().empty()) {
    DSR_RETURN_IF_ERROR(options_.starts_per_address->Take(principal.client_address(), kTooMany));
  }
  if (options_.starts_per_identifier != nullptr) {
    DSR_RETURN_IF_ERROR(options_.starts_per_identifier->Take(pseudonym, kTooMany));
  }
  if (type == SubjectIdentifier::URL) {
    return StartChallenge(identifier, pseudonym, principal, response);
  }
  return StartCode(identifier, MethodOf(type), channel, pseudonym, request.language_code(),
                   principal, response);
}

absl::Status Verifications::Begin(absl::string_view id, const SubjectIdentifier& identifier,
                                  const std::string& pseudonym, int method,
                                  absl::string_view secret, const Principal& principal,
                                  dsr::v1::Verification* response) {
  VerificationRecord record;
  record.set_type(identifier.type());
  record.set_pseudonym(pseudonym);
  record.set_method(method);
  record.set_secret_digest(SecretDigest(id, secret));
  record.set_attempts_left(options_.code_attempts);
  Journal::Mutation mutation(options_.journal);
  *record.mutable_create_time() = ToProtoTime(mutation.now());
  *record.mutable_expire_time() = ToProtoTime(mutation.now() + options_.code_lifetime);
  mutation.batch().Put(ColumnFamily::kVerifications, storage::keys::Verification(id), record);
  mutation.Audit("CreateVerification", absl::StrCat(kVerificationPrefix, id));
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  FillVerification(id, identifier, record, response);
  return absl::OkStatus();
}

absl::Status Verifications::StartCode(const SubjectIdentifier& identifier, int method,
                                      MessageSender* channel, const std::string& pseudonym,
                                      absl::string_view language, const Principal& principal,
                                      dsr::v1::Verification* response) {
  const std::string id = NewRandomId(kVerificationIdBits);
  const std::string code = NewCode();
  DSR_RETURN_IF_ERROR(Begin(id, identifier, pseudonym, method, code, principal, response));
  // The code goes out once the verification that checks it is durable.
  OutgoingMessage message = CodeMessage(identifier.value(), code, options_.code_lifetime, language,
                                        identifier.type() == SubjectIdentifier::EMAIL);
  options_.store->WhenDurable(
      [channel, message = std::move(message)](absl::Status durable) mutable {
        if (durable.ok()) channel->Send(std::move(message)).IgnoreError();
      });
  return absl::OkStatus();
}

absl::Status Verifications::StartChallenge(const SubjectIdentifier& identifier,
                                           const std::string& pseudonym, const Principal& principal,
                                           dsr::v1::Verification* response) {
  const std::string id = NewRandomId(kVerificationIdBits);
  // Base64url, so that it fits a path segment as it is.
  const std::string challenge = NewToken(kChallengePrefix);
  DSR_RETURN_IF_ERROR(
      Begin(id, identifier, pseudonym, dsr::v1::HTTP_CHALLENGE, challenge, principal, response));
  response->set_challenge(challenge);
  response->set_challenge_url(ChallengeUrl(HostOf(identifier.value()), challenge));
  return absl::OkStatus();
}

absl::Status Verifications::Confirm(const Principal& principal,
                                    const dsr::v1::ConfirmVerificationRequest& request,
                                    dsr::v1::ConfirmVerificationResponse* response) {
  DSR_ASSIGN_OR_RETURN(std::string id, ParseVerificationName(request.name()));
  if (options_.confirms_per_address != nullptr && !principal.client_address().empty()) {
    DSR_RETURN_IF_ERROR(
        options_.confirms_per_address->Take(principal.client_address(), kTooManyConfirms));
  }
  const std::string key = storage::keys::Verification(id);
  // The challenge is fetched before the lock (it may take seconds); what it
  // proves is checked under it.
  SubjectIdentifier url;
  bool challenge_matches = false;
  {
    DSR_ASSIGN_OR_RETURN(std::optional<VerificationRecord> record,
                         storage::GetIfPresent<VerificationRecord>(
                             *options_.store, ColumnFamily::kVerifications, key));
    if (record.has_value() && record->method() == dsr::v1::HTTP_CHALLENGE) {
      if (request.identifier().type() != SubjectIdentifier::URL) {
        return absl::InvalidArgumentError(
            "identifier is required to confirm a web site: the URL given to CreateVerification");
      }
      DSR_ASSIGN_OR_RETURN(
          std::string value,
          NormalizeIdentifier(SubjectIdentifier::URL, request.identifier().value(),
                              options_.limits.max_identifier_bytes, "identifier.value"));
      if (!DigestsEqual(options_.pseudonyms->Of(SubjectIdentifier::URL, value),
                        record->pseudonym())) {
        return absl::InvalidArgumentError(
            "identifier is not the one this verification was made for");
      }
      url.set_type(SubjectIdentifier::URL);
      url.set_value(value);
      // Only the challenge this verification issued is ever fetched: the
      // caller chooses nothing of the URL the broker opens.
      challenge_matches = DigestsEqual(SecretDigest(id, request.code()), record->secret_digest());
    }
  }
  // A challenge: the broker keeps only its digest, so the person sends it
  // back as `code`; the page at its URL must serve it.
  absl::Status fetch_status;
  std::string challenge_seen;
  if (url.type() == SubjectIdentifier::URL) {
    absl::string_view challenge = request.code();
    if (!absl::StartsWith(challenge, kChallengePrefix)) {
      return absl::InvalidArgumentError(
          "code must be the challenge CreateVerification returned, to confirm a web site");
    }
    absl::StatusOr<std::string> body =
        challenge_matches
            ? options_.web->Fetch(ChallengeUrl(HostOf(url.value()), challenge), kMaxChallengeBody)
            : absl::InvalidArgumentError(
                  "code is not the challenge CreateVerification returned for this verification");
    if (!body.ok()) {
      fetch_status = body.status();
    } else {
      absl::string_view text = absl::StripTrailingAsciiWhitespace(*body);
      if (text != challenge) {
        fetch_status = absl::FailedPreconditionError(
            "the page at challenge_url does not hold the challenge: serve exactly it, then "
            "confirm again");
      }
    }
    challenge_seen = std::string(challenge);
  }

  Journal::Mutation mutation(options_.journal);
  const absl::Time now = mutation.now();
  DSR_ASSIGN_OR_RETURN(std::optional<VerificationRecord> record,
                       storage::GetIfPresent<VerificationRecord>(
                           mutation.store(), ColumnFamily::kVerifications, key));
  if (!record.has_value()) {
    return absl::NotFoundError(
        "no such verification: it was confirmed, spent or has expired; start a new one");
  }
  if (FromProtoTime(record->expire_time()) <= now) {
    mutation.batch().Delete(ColumnFamily::kVerifications, key);
    mutation.Audit("ExpireVerification", request.name());
    DSR_RETURN_IF_ERROR(mutation.Commit(principal));
    return absl::FailedPreconditionError(
        "this verification has expired: start a new one (CreateVerification)");
  }
  const bool is_challenge = record->method() == dsr::v1::HTTP_CHALLENGE;
  if (is_challenge && url.type() != SubjectIdentifier::URL) {
    return absl::FailedPreconditionError("this verification changed; start a new one");
  }
  if (!is_challenge && (request.code().size() != kCodeDigits ||
                        !std::all_of(request.code().begin(), request.code().end(), [](char c) {
                          return absl::ascii_isdigit(static_cast<unsigned char>(c));
                        }))) {
    return absl::InvalidArgumentError(
        absl::StrCat("code must be the ", kCodeDigits, " digits of the message received"));
  }
  const absl::string_view secret = is_challenge ? challenge_seen : request.code();
  const bool right =
      fetch_status.ok() && DigestsEqual(SecretDigest(id, secret), record->secret_digest());
  if (!right) {
    record->set_attempts_left(record->attempts_left() - 1);
    if (record->attempts_left() <= 0) {
      mutation.batch().Delete(ColumnFamily::kVerifications, key);
    } else {
      mutation.batch().Put(ColumnFamily::kVerifications, key, *record);
    }
    mutation.Audit("FailVerification", request.name());
    DSR_RETURN_IF_ERROR(mutation.Commit(principal));
    if (record->attempts_left() <= 0) {
      return absl::FailedPreconditionError(
          "wrong code, and no attempt is left: start a new verification (CreateVerification)");
    }
    if (!fetch_status.ok()) {
      return absl::Status(
          fetch_status.code(),
          absl::StrCat(fetch_status.message(), " (", record->attempts_left(), " attempts left)"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("wrong code: ", record->attempts_left(), " attempts left"));
  }
  const std::string token = NewToken(kVerifiedTokenPrefix);
  VerifiedTokenRecord verified;
  verified.set_type(record->type());
  verified.set_pseudonym(record->pseudonym());
  verified.set_method(record->method());
  *verified.mutable_verify_time() = ToProtoTime(now);
  *verified.mutable_expire_time() = ToProtoTime(now + options_.token_lifetime);
  mutation.batch().Delete(ColumnFamily::kVerifications, key);
  mutation.batch().Put(ColumnFamily::kVerifiedTokens,
                       storage::keys::VerifiedToken(TokenDigest(token)), verified);
  mutation.Audit("ConfirmVerification", request.name());
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  response->set_verification_token(token);
  *response->mutable_expire_time() = verified.expire_time();
  response->mutable_identifier()->set_type(static_cast<SubjectIdentifier::Type>(record->type()));
  if (is_challenge) response->mutable_identifier()->set_value(url.value());
  return absl::OkStatus();
}

absl::StatusOr<Verifications::Holder> Verifications::Check(absl::string_view token,
                                                           absl::Time now) const {
  auto record =
      storage::GetIfPresent<VerifiedTokenRecord>(*options_.store, ColumnFamily::kVerifiedTokens,
                                                 storage::keys::VerifiedToken(TokenDigest(token)));
  if (!record.ok()) return record.status();
  if (!record->has_value() || FromProtoTime((*record)->expire_time()) <= now) {
    return absl::FailedPreconditionError(
        "the verification token is unknown, expired or spent: verify the identifier again");
  }
  return Holder{(*record)->type(), (*record)->pseudonym()};
}

absl::StatusOr<std::vector<std::optional<Proof>>> Verifications::Match(
    const storage::Store& store, absl::Time now,
    const google::protobuf::RepeatedPtrField<std::string>& tokens,
    const dsr::storage::v1::SubjectRecord& subject, std::vector<std::string>* keys) const {
  std::vector<std::optional<Proof>> proofs(subject.identifiers_size());
  if (tokens.empty()) return proofs;
  if (tokens.size() > subject.identifiers_size()) {
    return absl::InvalidArgumentError(
        "verification_tokens must have at most one token per subject identifier");
  }
  std::vector<std::string> pseudonyms;
  for (const auto& id : subject.identifiers()) {
    pseudonyms.push_back(options_.pseudonyms->Of(id.type(), id.value()));
  }
  for (int t = 0; t < tokens.size(); ++t) {
    const std::string field = absl::StrCat("verification_tokens[", t, "]");
    const std::string key = storage::keys::VerifiedToken(TokenDigest(tokens[t]));
    DSR_ASSIGN_OR_RETURN(
        std::optional<VerifiedTokenRecord> record,
        storage::GetIfPresent<VerifiedTokenRecord>(store, ColumnFamily::kVerifiedTokens, key));
    if (!record.has_value() || FromProtoTime(record->expire_time()) <= now) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, " is unknown, expired or spent: verify the identifier again"));
    }
    bool matched = false;
    for (int i = 0; i < subject.identifiers_size(); ++i) {
      if (subject.identifiers(i).type() != record->type() ||
          !DigestsEqual(pseudonyms[i], record->pseudonym())) {
        continue;
      }
      if (proofs[i].has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, " proves an identifier another token proves already"));
      }
      proofs[i] = Proof{record->method(), FromProtoTime(record->verify_time())};
      matched = true;
      break;
    }
    if (!matched) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " proves none of request.subject_identifiers"));
    }
    if (keys != nullptr) keys->push_back(key);
  }
  return proofs;
}

absl::StatusOr<std::vector<std::optional<Proof>>> Verifications::Peek(
    const google::protobuf::RepeatedPtrField<std::string>& tokens,
    const dsr::storage::v1::SubjectRecord& subject, absl::Time now) const {
  return Match(*options_.store, now, tokens, subject, nullptr);
}

absl::StatusOr<std::vector<std::optional<Proof>>> Verifications::Spend(
    Journal::Mutation& mutation, const google::protobuf::RepeatedPtrField<std::string>& tokens,
    const dsr::storage::v1::SubjectRecord& subject) const {
  std::vector<std::string> keys;
  DSR_ASSIGN_OR_RETURN(std::vector<std::optional<Proof>> proofs,
                       Match(mutation.store(), mutation.now(), tokens, subject, &keys));
  for (const std::string& key : keys) mutation.batch().Delete(ColumnFamily::kVerifiedTokens, key);
  return proofs;
}

absl::StatusOr<int> Verifications::PurgeExpired(absl::Time now, int max_records) {
  std::vector<std::pair<ColumnFamily, std::string>> expired;
  for (ColumnFamily cf : {ColumnFamily::kVerifications, ColumnFamily::kVerifiedTokens}) {
    int found = 0;
    auto visit = [&](absl::string_view key, const auto& record) {
      if (FromProtoTime(record.expire_time()) <= now) {
        expired.emplace_back(cf, std::string(key));
        ++found;
      }
      return found < max_records;
    };
    if (cf == ColumnFamily::kVerifications) {
      DSR_RETURN_IF_ERROR((storage::ScanRecords<VerificationRecord>(*options_.store, cf, "", "",
                                                                    "verification", visit)));
    } else {
      DSR_RETURN_IF_ERROR((storage::ScanRecords<VerifiedTokenRecord>(*options_.store, cf, "", "",
                                                                     "verification token", visit)));
    }
  }
  if (expired.empty()) return 0;
  Journal::Mutation mutation(options_.journal);
  for (const auto& [cf, key] : expired) mutation.batch().Delete(cf, key);
  // Housekeeping: what it deletes had expired, and the audit log says
  // nothing of it.
  DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
  return static_cast<int>(expired.size());
}

}  // namespace dsr::broker
