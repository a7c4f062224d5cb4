#include "storage/keys.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace dsr::storage::keys {
namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xff';
constexpr char kTerminator = '\x01';

void AppendComponent(absl::string_view component, std::string* out) {
  for (char c : component) {
    out->push_back(c);
    if (c == kEscape) out->push_back(kEscapedZero);
  }
  out->push_back(kEscape);
  out->push_back(kTerminator);
}

absl::StatusOr<std::vector<std::string>> DecodeExactly(absl::string_view key, size_t count,
                                                       absl::string_view kind) {
  absl::StatusOr<std::vector<std::string>> parts = Decode(key);
  if (!parts.ok()) return parts.status();
  if (parts->size() != count) {
    return absl::InvalidArgumentError(
        absl::StrCat(kind, " key has ", parts->size(), " components, want ", count));
  }
  return parts;
}

}  // namespace

std::string Encode(const std::vector<absl::string_view>& components) {
  std::string out;
  for (absl::string_view c : components) AppendComponent(c, &out);
  return out;
}

absl::StatusOr<std::vector<std::string>> Decode(absl::string_view key) {
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] != kEscape) {
      current.push_back(key[i]);
      continue;
    }
    if (i + 1 == key.size()) return absl::InvalidArgumentError("key ends inside an escape");
    char next = key[++i];
    if (next == kEscapedZero) {
      current.push_back(kEscape);
    } else if (next == kTerminator) {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      return absl::InvalidArgumentError("key has an unknown escape");
    }
  }
  if (!current.empty()) return absl::InvalidArgumentError("key has an unterminated component");
  return parts;
}

std::string Actor(absl::string_view actor_id) { return Encode({actor_id}); }

absl::StatusOr<std::string> ParseActor(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 1, "actor");
  if (!parts.ok()) return parts.status();
  return std::move((*parts)[0]);
}

std::string Token(absl::string_view token_digest) { return Encode({token_digest}); }

std::string Holding(absl::string_view actor_id, absl::string_view holding_id) {
  return Encode({actor_id, holding_id});
}

std::string HoldingsOf(absl::string_view actor_id) { return Encode({actor_id}); }

absl::StatusOr<HoldingKey> ParseHolding(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "holding");
  if (!parts.ok()) return parts.status();
  return HoldingKey{std::move((*parts)[0]), std::move((*parts)[1])};
}

std::string Link(absl::string_view link_id) { return Encode({link_id}); }

absl::StatusOr<std::string> ParseLink(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 1, "link");
  if (!parts.ok()) return parts.status();
  return std::move((*parts)[0]);
}

std::string ActorLink(absl::string_view actor_id, absl::string_view link_id) {
  return Encode({actor_id, link_id});
}

std::string ActorLinksOf(absl::string_view actor_id) { return Encode({actor_id}); }

absl::StatusOr<ActorLinkKey> ParseActorLink(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "actor link");
  if (!parts.ok()) return parts.status();
  return ActorLinkKey{std::move((*parts)[0]), std::move((*parts)[1])};
}

std::string ExternalId(absl::string_view external_id, absl::string_view actor_id,
                       absl::string_view holding_id) {
  return Encode({external_id, actor_id, holding_id});
}

std::string ExternalIdsEqualTo(absl::string_view external_id) { return Encode({external_id}); }

std::string ExternalIdsOfActor(absl::string_view external_id, absl::string_view actor_id) {
  return Encode({external_id, actor_id});
}

absl::StatusOr<ExternalIdKey> ParseExternalId(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 3, "external id");
  if (!parts.ok()) return parts.status();
  return ExternalIdKey{std::move((*parts)[0]), std::move((*parts)[1]), std::move((*parts)[2])};
}

namespace {

std::string BigEndian(uint64_t n) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return bytes;
}

absl::StatusOr<uint64_t> FromBigEndian(absl::string_view bytes) {
  if (bytes.size() != 8) return absl::InvalidArgumentError("number component is not 8 bytes");
  uint64_t n = 0;
  for (char c : bytes) n = (n << 8) | static_cast<unsigned char>(c);
  return n;
}

}  // namespace

std::string AuditEvent(uint64_t sequence) { return Encode({BigEndian(sequence)}); }

absl::StatusOr<uint64_t> ParseAuditEvent(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 1, "audit");
  if (!parts.ok()) return parts.status();
  return FromBigEndian((*parts)[0]);
}

std::string Request(absl::string_view request_id) { return Encode({request_id}); }

std::string Receipt(absl::string_view receipt_digest) { return Encode({receipt_digest}); }

std::string Verification(absl::string_view verification_id) { return Encode({verification_id}); }

std::string VerifiedToken(absl::string_view token_digest) { return Encode({token_digest}); }

std::string SubjectRequest(absl::string_view pseudonym, absl::string_view request_id) {
  return Encode({pseudonym, request_id});
}

std::string RequestsVerifiedFor(absl::string_view pseudonym) { return Encode({pseudonym}); }

std::string Outbox(int64_t queued_unix_micros, uint64_t order, absl::string_view request_id,
                   uint64_t task_number, int kind) {
  return Encode({BigEndian(static_cast<uint64_t>(queued_unix_micros)), BigEndian(order), request_id,
                 BigEndian(task_number), BigEndian(static_cast<uint64_t>(kind))});
}

absl::StatusOr<SubjectRequestKey> ParseSubjectRequest(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "subject request");
  if (!parts.ok()) return parts.status();
  return SubjectRequestKey{std::move((*parts)[0]), std::move((*parts)[1])};
}

std::string Task(absl::string_view request_id, uint64_t task_number) {
  return Encode({request_id, BigEndian(task_number)});
}

std::string TasksOf(absl::string_view request_id) { return Encode({request_id}); }

std::string Report(absl::string_view request_id, uint64_t task_number) {
  return Task(request_id, task_number);
}

std::string ReportCopy(absl::string_view request_id, uint64_t task_number) {
  return Encode({request_id, BigEndian(task_number), "copy"});
}

absl::StatusOr<TaskKey> ParseTask(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "task");
  if (!parts.ok()) return parts.status();
  absl::StatusOr<uint64_t> number = FromBigEndian((*parts)[1]);
  if (!number.ok()) return number.status();
  return TaskKey{std::move((*parts)[0]), *number};
}

std::string RouteNode(absl::string_view request_id, absl::string_view holding_name) {
  return Encode({request_id, holding_name});
}

std::string RouteNodesOf(absl::string_view request_id) { return Encode({request_id}); }

absl::StatusOr<std::string> ParseRouteNodeHolding(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "route node");
  if (!parts.ok()) return parts.status();
  return std::move((*parts)[1]);
}

std::string ActorTask(absl::string_view actor_id, absl::string_view request_id,
                      uint64_t task_number) {
  return Encode({actor_id, request_id, BigEndian(task_number)});
}

std::string ActorTasksOf(absl::string_view actor_id) { return Encode({actor_id}); }

absl::StatusOr<ActorTaskKey> ParseActorTask(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 3, "actor task");
  if (!parts.ok()) return parts.status();
  absl::StatusOr<uint64_t> number = FromBigEndian((*parts)[2]);
  if (!number.ok()) return number.status();
  return ActorTaskKey{std::move((*parts)[0]), std::move((*parts)[1]), *number};
}

std::string HoldingRequest(absl::string_view holding_name, absl::string_view request_id) {
  return Encode({holding_name, request_id});
}

std::string HoldingRequestsOf(absl::string_view holding_name) { return Encode({holding_name}); }

absl::StatusOr<HoldingRequestKey> ParseHoldingRequest(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "holding request");
  if (!parts.ok()) return parts.status();
  return HoldingRequestKey{std::move((*parts)[0]), std::move((*parts)[1])};
}

std::string InboxEvent(absl::string_view actor_id, uint64_t sequence) {
  return Encode({actor_id, BigEndian(sequence)});
}

std::string InboxOf(absl::string_view actor_id) { return Encode({actor_id}); }

absl::StatusOr<uint64_t> ParseInboxSequence(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "inbox");
  if (!parts.ok()) return parts.status();
  return FromBigEndian((*parts)[1]);
}

std::string InboxState(absl::string_view actor_id) { return Encode({actor_id}); }

// Due times are after 1970, so the sign bit is never set and the unsigned
// big-endian form sorts like the number.
std::string DueTask(int64_t due_unix_micros, absl::string_view request_id, uint64_t task_number) {
  return Encode({BigEndian(static_cast<uint64_t>(std::max<int64_t>(due_unix_micros, 0))),
                 request_id, BigEndian(task_number)});
}

absl::StatusOr<DueTaskKey> ParseDueTask(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 3, "due task");
  if (!parts.ok()) return parts.status();
  absl::StatusOr<uint64_t> due = FromBigEndian((*parts)[0]);
  if (!due.ok()) return due.status();
  absl::StatusOr<uint64_t> number = FromBigEndian((*parts)[2]);
  if (!number.ok()) return number.status();
  return DueTaskKey{static_cast<int64_t>(*due), std::move((*parts)[1]), *number};
}

std::string DataKey(absl::string_view request_id) { return Encode({request_id}); }

std::string KeyCheck(absl::string_view name) { return Encode({absl::StrCat("~check/", name)}); }

std::string FinalRequest(int64_t final_unix_micros, absl::string_view request_id) {
  return Encode(
      {BigEndian(static_cast<uint64_t>(std::max<int64_t>(final_unix_micros, 0))), request_id});
}

absl::StatusOr<FinalRequestKey> ParseFinalRequest(absl::string_view key) {
  absl::StatusOr<std::vector<std::string>> parts = DecodeExactly(key, 2, "final request");
  if (!parts.ok()) return parts.status();
  absl::StatusOr<uint64_t> time = FromBigEndian((*parts)[0]);
  if (!time.ok()) return time.status();
  return FinalRequestKey{static_cast<int64_t>(*time), std::move((*parts)[1])};
}

std::string PrefixLast(absl::string_view prefix) {
  return absl::StrCat(prefix, std::string(16, '\xff'));
}

std::string Idempotency(absl::string_view principal, absl::string_view request_id) {
  return Encode({principal, request_id});
}

}  // namespace dsr::storage::keys
