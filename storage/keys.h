#ifndef DSR_STORAGE_KEYS_H_
#define DSR_STORAGE_KEYS_H_

// The key codec: the only place that builds or parses RocksDB keys.
//
// A key is a sequence of string components. Each component is written with
// every 0x00 byte escaped as 0x00 0xFF and ends with 0x00 0x01, so keys sort
// component by component in the byte order of the components, a key's prefix
// of whole components is a prefix of the key, and any byte string (external
// ids included) is a valid component.
//
// All functions are pure and thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dsr::storage::keys {

// ColumnFamily::kActors.
std::string Actor(absl::string_view actor_id);
absl::StatusOr<std::string> ParseActor(absl::string_view key);

// ColumnFamily::kTokens.
std::string Token(absl::string_view token_digest);

// ColumnFamily::kHoldings. HoldingsOf(actor) prefixes all of that actor's keys.
std::string Holding(absl::string_view actor_id, absl::string_view holding_id);
std::string HoldingsOf(absl::string_view actor_id);
struct HoldingKey {
  std::string actor_id;
  std::string holding_id;
};
absl::StatusOr<HoldingKey> ParseHolding(absl::string_view key);

// ColumnFamily::kLinks.
std::string Link(absl::string_view link_id);
absl::StatusOr<std::string> ParseLink(absl::string_view key);

// ColumnFamily::kActorLinks: the links whose child or parent holding an actor
// owns, by link id. ActorLinksOf(actor) prefixes that actor's.
std::string ActorLink(absl::string_view actor_id, absl::string_view link_id);
std::string ActorLinksOf(absl::string_view actor_id);
struct ActorLinkKey {
  std::string actor_id;
  std::string link_id;
};
absl::StatusOr<ActorLinkKey> ParseActorLink(absl::string_view key);

// ColumnFamily::kExternalIds: which holdings carry an external id, in the
// same (actor, holding) order as the holdings family.
// ExternalIdsEqualTo(id) prefixes all keys of that id;
// ExternalIdsOfActor(id, actor) those of one actor's holdings.
std::string ExternalId(absl::string_view external_id, absl::string_view actor_id,
                       absl::string_view holding_id);
std::string ExternalIdsEqualTo(absl::string_view external_id);
std::string ExternalIdsOfActor(absl::string_view external_id, absl::string_view actor_id);
struct ExternalIdKey {
  std::string external_id;
  std::string actor_id;
  std::string holding_id;
};
absl::StatusOr<ExternalIdKey> ParseExternalId(absl::string_view key);

// ColumnFamily::kAudit: keys sort by sequence number.
std::string AuditEvent(uint64_t sequence);
absl::StatusOr<uint64_t> ParseAuditEvent(absl::string_view key);

// ColumnFamily::kRequests and kReceipts.
std::string Request(absl::string_view request_id);
std::string Receipt(absl::string_view receipt_digest);

// ColumnFamily::kVerifications.
std::string Verification(absl::string_view verification_id);

// ColumnFamily::kVerifiedTokens.
std::string VerifiedToken(absl::string_view token_digest);

// ColumnFamily::kSubjectRequests. RequestsVerifiedFor(pseudonym) prefixes
// that identifier's entries, in request id order.
std::string SubjectRequest(absl::string_view pseudonym, absl::string_view request_id);
std::string RequestsVerifiedFor(absl::string_view pseudonym);
struct SubjectRequestKey {
  std::string pseudonym;
  std::string request_id;
};
absl::StatusOr<SubjectRequestKey> ParseSubjectRequest(absl::string_view key);

// ColumnFamily::kOutbox, in the order the messages were queued.
std::string Outbox(int64_t queued_unix_micros, uint64_t order, absl::string_view request_id,
                   uint64_t task_number, int kind);

// ColumnFamily::kTasks. TasksOf(request) prefixes a request's tasks, in task
// number order.
std::string Task(absl::string_view request_id, uint64_t task_number);
std::string TasksOf(absl::string_view request_id);
struct TaskKey {
  std::string request_id;
  uint64_t task_number = 0;
};
absl::StatusOr<TaskKey> ParseTask(absl::string_view key);

// ColumnFamily::kReports: keyed like the task; the inline copy of a report,
// stored apart, right after it (both under TasksOf(request_id)).
std::string Report(absl::string_view request_id, uint64_t task_number);
std::string ReportCopy(absl::string_view request_id, uint64_t task_number);

// ColumnFamily::kRouteNodes: the retired holdings a request passed through.
std::string RouteNode(absl::string_view request_id, absl::string_view holding_name);
std::string RouteNodesOf(absl::string_view request_id);
absl::StatusOr<std::string> ParseRouteNodeHolding(absl::string_view key);

// ColumnFamily::kActorTasks: an actor's tasks, by request then number.
std::string ActorTask(absl::string_view actor_id, absl::string_view request_id,
                      uint64_t task_number);
std::string ActorTasksOf(absl::string_view actor_id);
struct ActorTaskKey {
  std::string actor_id;
  std::string request_id;
  uint64_t task_number = 0;
};
absl::StatusOr<ActorTaskKey> ParseActorTask(absl::string_view key);

// ColumnFamily::kHoldingRequests: the requests with a task on a holding.
std::string HoldingRequest(absl::string_view holding_name, absl::string_view request_id);
std::string HoldingRequestsOf(absl::string_view holding_name);
struct HoldingRequestKey {
  std::string holding_name;
  std::string request_id;
};
absl::StatusOr<HoldingRequestKey> ParseHoldingRequest(absl::string_view key);

// ColumnFamily::kInbox: an actor's events in sequence order.
std::string InboxEvent(absl::string_view actor_id, uint64_t sequence);
std::string InboxOf(absl::string_view actor_id);
absl::StatusOr<uint64_t> ParseInboxSequence(absl::string_view key);

// ColumnFamily::kInboxState.
std::string InboxState(absl::string_view actor_id);

// ColumnFamily::kDueTasks: tasks awaiting an answer, by due time (unix
// microseconds; keys sort by it).
std::string DueTask(int64_t due_unix_micros, absl::string_view request_id, uint64_t task_number);
struct DueTaskKey {
  int64_t due_unix_micros = 0;
  std::string request_id;
  uint64_t task_number = 0;
};
absl::StatusOr<DueTaskKey> ParseDueTask(absl::string_view key);

// ColumnFamily::kDataKeys: a request's data key, and the broker's key checks
// (names that no request id can take).
std::string DataKey(absl::string_view request_id);
std::string KeyCheck(absl::string_view name);

// ColumnFamily::kFinalRequests: requests whose tasks are all answered or
// withdrawn, by the time that happened (unix microseconds; keys sort by it).
std::string FinalRequest(int64_t final_unix_micros, absl::string_view request_id);
struct FinalRequestKey {
  int64_t final_unix_micros = 0;
  std::string request_id;
};
absl::StatusOr<FinalRequestKey> ParseFinalRequest(absl::string_view key);

// ColumnFamily::kIdempotency.
std::string Idempotency(absl::string_view principal, absl::string_view request_id);

// The inclusive end of a range over the keys starting with `prefix` (whole
// components): it sorts after every such key whose next component does not
// begin with 16 bytes of 0xff (numbers are 8 bytes; ids and names are text),
// and before every key without the prefix.
std::string PrefixLast(absl::string_view prefix);

// Low level, exposed for tests: encodes components as described above, and
// splits a key back into them (INVALID_ARGUMENT if it is malformed). A
// number is one component of 8 big-endian bytes, so numbers sort in order.
std::string Encode(const std::vector<absl::string_view>& components);
absl::StatusOr<std::vector<std::string>> Decode(absl::string_view key);

}  // namespace dsr::storage::keys

#endif  // DSR_STORAGE_KEYS_H_
