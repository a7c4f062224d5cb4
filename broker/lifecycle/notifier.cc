#include "broker/lifecycle/notifier.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/log.h"
#include "broker/base/principal.h"
#include "broker/base/time_util.h"
#include "broker/identity/messages.h"
#include "broker/requests/request_records.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/identity_records.pb.h"
#include "storage/keys.h"
#include "storage/typed_scan.h"

namespace dsr::broker {

using dsr::storage::v1::OutboxRecord;
using dsr::storage::v1::RequestRecord;
using dsr::storage::v1::TaskRecord;
using storage::ColumnFamily;

namespace {

// Entries looked at per sweep: retries waiting their turn are passed over.
constexpr int kMaxScanned = 10000;

// The message for `entry`, or nullopt when there is nobody to write to any
// more (the request or its personal data is gone).
absl::StatusOr<std::optional<OutgoingMessage>> Compose(const storage::Store& store,
                                                       const RequestVault& vault,
                                                       const OutboxRecord& entry) {
  DSR_ASSIGN_OR_RETURN(
      std::optional<RequestRecord> request,
      storage::GetIfPresent<RequestRecord>(store, ColumnFamily::kRequests,
                                           storage::keys::Request(entry.request_id())));
  if (!request.has_value()) return std::nullopt;
  DSR_ASSIGN_OR_RETURN(std::optional<dsr::storage::v1::SubjectRecord> subject,
                       vault.OpenSubject(*request));
  if (!subject.has_value() || subject->contact_email().empty()) return std::nullopt;
  Milestone m;
  m.kind = entry.kind();
  m.request_name = RequestName(entry.request_id());
  m.request_type = dsr::v1::RequestType_Name(static_cast<dsr::v1::RequestType>(request->type()));
  if (entry.task_number() > 0) {
    DSR_ASSIGN_OR_RETURN(std::optional<TaskRecord> task,
                         storage::GetIfPresent<TaskRecord>(
                             store, ColumnFamily::kTasks,
                             storage::keys::Task(entry.request_id(), entry.task_number())));
    if (task.has_value()) {
      m.holding = task->holding();
      m.ground =
          dsr::v1::RefusalGround_Name(static_cast<dsr::v1::RefusalGround>(task->refusal_ground()));
      m.extension_months = task->extension_months();
      m.holder_words = entry.kind() == OutboxRecord::IDENTITY_REQUESTED ? task->identity_request()
                                                                        : task->extension_reason();
    }
  }
  return MilestoneMessage(subject->contact_email(), subject->language_code(), m);
}

}  // namespace

absl::StatusOr<int> Notifier::DeliverDue(int max) {
  const absl::Time now = clock_->Now();
  std::vector<std::pair<std::string, OutboxRecord>> due;
  int scanned = 0;
  DSR_RETURN_IF_ERROR(storage::ScanRecords<OutboxRecord>(
      *store_, ColumnFamily::kOutbox, "", "", "outbox entry",
      [&](absl::string_view key, const OutboxRecord& entry) {
        if (FromProtoTime(entry.not_before()) <= now) due.emplace_back(std::string(key), entry);
        return static_cast<int>(due.size()) < max && ++scanned < kMaxScanned;
      }));
  // Only what is durable is told: a change lost in a crash must not have
  // been announced. Entries seen were applied; this waits for their sync.
  if (!due.empty()) DSR_RETURN_IF_ERROR(store_->AwaitDurable());
  int delivered = 0;
  bool server_failed = false;
  for (auto& [key, entry] : due) {
    // After one failed delivery the server is likely down: the rest waits
    // for the next sweep, so that the sweep (and shutdown) is not held for
    // a timeout per message.
    if (server_failed) break;
    absl::StatusOr<std::optional<OutgoingMessage>> message = Compose(*store_, *vault_, entry);
    absl::Status sent;
    if (!message.ok()) {
      sent = message.status();
    } else if (!message->has_value()) {
      sent = absl::OkStatus();  // nobody to write to: dropped
    } else if (email_ == nullptr) {
      LogError("a message to a person was dropped: this broker sends no email (--smtp_url)");
      sent = absl::OkStatus();
    } else {
      sent = email_->DeliverNow(**message);
      if (sent.ok()) ++delivered;
      server_failed = !sent.ok();
    }
    Journal::Mutation mutation(journal_);
    entry.set_attempts(entry.attempts() + (sent.ok() ? 0 : 1));
    if (sent.ok() || entry.attempts() >= kMaxAttempts) {
      if (!sent.ok()) {
        LogError(absl::StrCat("a message about ", RequestName(entry.request_id()),
                              " was given up after ", entry.attempts(),
                              " attempts: ", sent.message()));
      }
      mutation.batch().Delete(ColumnFamily::kOutbox, key);
    } else {
      LogError(absl::StrCat("a message about ", RequestName(entry.request_id()),
                            " was not sent (attempt ", entry.attempts(),
                            "), will retry: ", sent.message()));
      *entry.mutable_not_before() =
          ToProtoTime(mutation.now() + absl::Minutes(1) * (int64_t{1} << (entry.attempts() - 1)));
      mutation.batch().Put(ColumnFamily::kOutbox, key, entry);
    }
    // Housekeeping: the message, not the request, changed.
    DSR_RETURN_IF_ERROR(mutation.Commit(Principal::Broker()));
  }
  return delivered;
}

}  // namespace dsr::broker
