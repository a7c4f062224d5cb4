// Personal data at rest: stored only sealed, and destroyed after the
// retention period once the request is final.

#include "broker/lifecycle/retention.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker/base/time_util.h"
#include "broker/inbox/inbox.h"
#include "common/status_macros.h"
#include "dsr/storage/v1/audit_records.pb.h"
#include "storage/keys.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;
using storage::ColumnFamily;

constexpr absl::Duration kRetention = absl::Hours(24 * 180);

bool AnyFileContains(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos) return true;
  }
  return false;
}

class RetentionTest : public RequestsTest {
 protected:
  RetentionTest() {
    AddActor("acme");
    AddActor("beta");
    source_ = AddHolding("acme", "source");
    copy_ = AddHolding("beta", "copy");
  }
  void Restart() { ReopenAll(); }
  int Sweep(bool scrub = true) {
    RetentionSweeper sweeper(store_, journal_, vault_, kRetention);
    absl::StatusOr<int> purged = sweeper.Sweep(/*batch_size=*/1, scrub);
    EXPECT_OK(purged);
    return purged.ok() ? *purged : -1;
  }
  absl::Status Complete(const std::string& actor, const std::string& task,
                        const dsr::v1::AccessReport* report = nullptr) {
    dsr::v1::CompleteTaskRequest complete;
    complete.set_name(task);
    complete.set_outcome(report != nullptr ? dsr::v1::ACCESS_PROVIDED : dsr::v1::NO_DATA_FOUND);
    if (report != nullptr) *complete.mutable_access_report() = *report;
    dsr::v1::Task done;
    return tasks_->Complete(Principal::Actor(actor), complete, &done);
  }
  dsr::v1::GetRequestResponse Read(const dsr::v1::SubmitRequestResponse& submitted) {
    dsr::v1::GetRequestRequest get;
    get.set_name(submitted.request().name());
    dsr::v1::GetRequestResponse read;
    EXPECT_OK(requests_->Get(admin_, get, &read));
    return read;
  }
  absl::StatusOr<dsr::v1::Task> HolderTask(const std::string& actor, const std::string& task) {
    dsr::v1::GetTaskRequest get;
    get.set_name(task);
    dsr::v1::Task out;
    DSR_RETURN_IF_ERROR(tasks_->GetTask(Principal::Actor(actor), get, &out));
    return out;
  }
  bool HasDataKey(const dsr::v1::SubmitRequestResponse& submitted) {
    const std::string id = submitted.request().name().substr(std::string("requests/").size());
    absl::StatusOr<bool> has =
        store_->Contains(ColumnFamily::kDataKeys, storage::keys::DataKey(id));
    EXPECT_OK(has);
    return has.ok() && *has;
  }
  std::string source_, copy_;
};

TEST_F(RetentionTest, StoredRecordsHoldNoPersonalDataInTheClear) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ACCESS);
  dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("canary.q7x@example.org");
  request.mutable_request()->set_details("canary-details-q7x");
  request.mutable_request()->add_targets(source_);
  dsr::v1::SubmitRequestResponse submitted;
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &submitted));
  dsr::v1::AccessReport report;
  report.set_purposes("canary-report-q7x");
  ASSERT_OK(Complete("acme", submitted.tasks(0).name(), &report));

  // Every record of every family, as stored.
  int records = 0;
  for (ColumnFamily cf : storage::kAllColumnFamilies) {
    ASSERT_OK(store_->Scan(cf, "", "", [&](absl::string_view key, absl::string_view value) {
      ++records;
      for (absl::string_view bytes : {key, value}) {
        EXPECT_EQ(bytes.find("q7x"), absl::string_view::npos)
            << "in family " << storage::ColumnFamilyName(cf);
      }
      return true;
    }));
  }
  EXPECT_GT(records, 10);
  // And yet the person and the holder see them.
  EXPECT_EQ(Read(submitted).request().subject_identifiers(0).value(), "canary.q7x@example.org");
  ASSERT_OK_AND_ASSIGN(dsr::v1::Task task, HolderTask("acme", submitted.tasks(0).name()));
  EXPECT_EQ(task.details(), "canary-details-q7x");
}

TEST_F(RetentionTest, CompletedRequestIsPurgedAfterTheRetentionPeriodAlsoAcrossARestart) {
  dsr::v1::SubmitRequestResponse access =
      Submit({source_}, dsr::v1::Request::TARGET_ONLY, dsr::v1::ACCESS);
  dsr::v1::AccessReport report;
  report.set_purposes("research");
  clock_.Advance(absl::Hours(24));
  ASSERT_OK(Complete("acme", access.tasks(0).name(), &report));
  const absl::Time final_time = clock_.Now();

  clock_.Set(final_time + kRetention - absl::Seconds(1));
  EXPECT_EQ(Sweep(), 0);
  EXPECT_EQ(Read(access).request().subject_identifiers_size(), 1);
  Restart();  // the queue is stored, not held in memory
  clock_.Set(final_time + kRetention);
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(Sweep(), 0);

  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "after the purge" : "after a restart");
    dsr::v1::GetRequestResponse read = Read(access);
    EXPECT_EQ(read.request().subject_identifiers_size(), 0);
    EXPECT_TRUE(read.request().details().empty());
    ASSERT_TRUE(read.request().has_purge_time());
    EXPECT_EQ(FromProtoTime(read.request().purge_time()), final_time + kRetention);
    // The shape and the states remain.
    EXPECT_EQ(read.request().state(), dsr::v1::Request::COMPLETED);
    EXPECT_EQ(read.request().targets(0), source_);
    ASSERT_EQ(read.tasks_size(), 1);
    EXPECT_EQ(read.tasks(0).outcome(), dsr::v1::ACCESS_PROVIDED);
    ASSERT_OK_AND_ASSIGN(dsr::v1::Task task, HolderTask("acme", access.tasks(0).name()));
    EXPECT_EQ(task.subject_identifiers_size(), 0);
    EXPECT_EQ(task.state(), dsr::v1::Task::COMPLETED);
    dsr::v1::GetAccessReportRequest get;
    get.set_name(access.request().name());
    dsr::v1::GetAccessReportResponse reports;
    EXPECT_CODE(requests_->GetAccessReport(ReceiptOf(access), get, &reports),
                StatusCode::kFailedPrecondition);
    EXPECT_FALSE(HasDataKey(access));
    Restart();
  }
  EXPECT_EQ(Sweep(), 0);
}

TEST_F(RetentionTest, OpenRequestsAreKeptAndCancelledOnesPurged) {
  dsr::v1::SubmitRequestResponse open = Submit({source_});
  dsr::v1::SubmitRequestResponse withdrawn = Submit({copy_});
  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(withdrawn.request().name());
  dsr::v1::GetRequestResponse cancelled;
  ASSERT_OK(requests_->Cancel(ReceiptOf(withdrawn), cancel, &cancelled));

  clock_.Advance(kRetention);
  EXPECT_EQ(Sweep(), 1);
  EXPECT_TRUE(Read(withdrawn).request().has_purge_time());
  EXPECT_EQ(Read(withdrawn).request().state(), dsr::v1::Request::CANCELLED);
  EXPECT_FALSE(HasDataKey(withdrawn));
  // Years later the open request still has its data: holders need it.
  clock_.Advance(kRetention * 4);
  EXPECT_EQ(Sweep(), 0);
  EXPECT_FALSE(Read(open).request().has_purge_time());
  EXPECT_TRUE(HasDataKey(open));
  ASSERT_OK_AND_ASSIGN(dsr::v1::Task task, HolderTask("acme", open.tasks(0).name()));
  EXPECT_EQ(task.subject_identifiers_size(), 1);
}

// A late link reopens a completed erasure: the period restarts when the new
// task is answered, and a purged request is no longer forwarded.
TEST_F(RetentionTest, ReopenedRequestWaitsForItsNewAnswer) {
  dsr::v1::SubmitRequestResponse erasure = Submit({source_});
  ASSERT_OK(Complete("acme", erasure.tasks(0).name()));
  clock_.Advance(kRetention / 2);
  ASSERT_OK(Link(copy_, source_));
  dsr::v1::GetRequestResponse reopened = Read(erasure);
  ASSERT_EQ(reopened.tasks_size(), 2);
  EXPECT_EQ(reopened.request().state(), dsr::v1::Request::OPEN);

  clock_.Advance(kRetention / 2);
  EXPECT_EQ(Sweep(), 0);  // the first completion's turn has passed, but it is open
  ASSERT_OK(Complete("beta", reopened.tasks(1).name()));
  clock_.Advance(kRetention - absl::Seconds(1));
  EXPECT_EQ(Sweep(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Sweep(), 1);

  // Purged: a new copy declared later gets nothing to forward.
  AddHolding("beta", "later");
  ASSERT_OK(Link("actors/beta/holdings/later", source_));
  EXPECT_EQ(Read(erasure).tasks_size(), 2);
}

TEST_F(RetentionTest, AnotherMasterKeyCannotReadAndSaysSo) {
  dsr::v1::SubmitRequestResponse submitted = Submit({source_});
  const RequestVault other_key(store_, std::string(32, 'w'));
  RequestsOptions options = OptionsLikeCore(Limits());
  options.vault = &other_key;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Requests> wrong, Requests::Create(options));
  dsr::v1::GetRequestRequest get;
  get.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse read;
  EXPECT_CODE(wrong->Get(admin_, get, &read), StatusCode::kDataLoss);
}

// Deleting a record leaves its old bytes in table files and the log until
// they are rewritten; a purge rewrites them, so the wrapped key and the
// sealed identifiers are gone from the files, not only from reads.
TEST_F(RetentionTest, PurgedKeyAndCiphertextAreGoneFromTheFiles) {
  dsr::v1::SubmitRequestResponse erasure = Submit({source_});
  const std::string id = erasure.request().name().substr(std::string("requests/").size());
  dsr::storage::v1::DataKeyRecord wrapped;
  ASSERT_OK(store_->Get(ColumnFamily::kDataKeys, storage::keys::DataKey(id), &wrapped));
  dsr::storage::v1::RequestRecord before;
  ASSERT_OK(store_->Get(ColumnFamily::kRequests, storage::keys::Request(id), &before));
  Restart();  // the old versions reach table files
  ASSERT_OK(Complete("acme", erasure.tasks(0).name()));
  ASSERT_TRUE(AnyFileContains(dir_.Sub("db"), wrapped.wrapped_key()));  // the scan sees them
  clock_.Advance(kRetention);
  EXPECT_EQ(Sweep(), 1);
  EXPECT_FALSE(AnyFileContains(dir_.Sub("db"), wrapped.wrapped_key()));
  EXPECT_FALSE(AnyFileContains(dir_.Sub("db"), before.sealed_subject()));
  Restart();
  EXPECT_FALSE(AnyFileContains(dir_.Sub("db"), wrapped.wrapped_key()));
}

// A kill between a purge's commit and its scrub leaves the wrapped key in the
// files; the next sweep (the first runs at start) scrubs it.
TEST_F(RetentionTest, AScrubCutShortIsDoneByTheNextSweep) {
  dsr::v1::SubmitRequestResponse erasure = Submit({source_});
  const std::string id = erasure.request().name().substr(std::string("requests/").size());
  dsr::storage::v1::DataKeyRecord wrapped;
  ASSERT_OK(store_->Get(ColumnFamily::kDataKeys, storage::keys::DataKey(id), &wrapped));
  Restart();  // the key reaches table files
  ASSERT_OK(Complete("acme", erasure.tasks(0).name()));
  clock_.Advance(kRetention);
  EXPECT_EQ(Sweep(/*scrub=*/false), 1);  // purged, then "killed"
  Restart();
  ASSERT_TRUE(AnyFileContains(dir_.Sub("db"), wrapped.wrapped_key()));
  EXPECT_EQ(Sweep(), 0);  // nothing new to purge; the pending scrub is done
  EXPECT_FALSE(AnyFileContains(dir_.Sub("db"), wrapped.wrapped_key()));
  int pending = 0;
  ASSERT_OK(store_->Scan(ColumnFamily::kPendingScrubs, "", "",
                         [&](absl::string_view, absl::string_view) { return ++pending > 0; }));
  EXPECT_EQ(pending, 0);
}

// Final means every task closed: a request with two tasks is not queued when
// one closes, and a cancel after one answer makes it final once.
TEST_F(RetentionTest, OnlyTheLastClosedTaskMakesARequestFinal) {
  ASSERT_OK(Link(copy_, source_));
  dsr::v1::SubmitRequestResponse erasure = Submit({source_});
  ASSERT_EQ(erasure.tasks_size(), 2);
  ASSERT_OK(Complete("acme", erasure.tasks(0).name()));
  clock_.Advance(kRetention * 2);
  EXPECT_EQ(Sweep(), 0);
  EXPECT_EQ(HolderTask("beta", erasure.tasks(1).name())->subject_identifiers_size(), 1);

  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(erasure.request().name());
  dsr::v1::GetRequestResponse cancelled;
  ASSERT_OK(requests_->Cancel(ReceiptOf(erasure), cancel, &cancelled));
  EXPECT_EQ(Sweep(), 0);
  clock_.Advance(kRetention);
  EXPECT_EQ(Sweep(), 1);

  // The purge is in the audit log, naming the request and no one in it.
  bool audited = false;
  ASSERT_OK(store_->Scan(ColumnFamily::kAudit, "", "", [&](absl::string_view, absl::string_view v) {
    dsr::storage::v1::AuditEventRecord event;
    EXPECT_TRUE(event.ParseFromArray(v.data(), static_cast<int>(v.size())));
    if (event.action() == "PurgePersonalData") {
      audited = event.resource() == erasure.request().name();
      EXPECT_EQ(event.principal(), "broker");
    }
    return true;
  }));
  EXPECT_TRUE(audited);
}

TEST_F(RetentionTest, ReportsAreDeletedWithTheKey) {
  dsr::v1::SubmitRequestResponse access =
      Submit({source_}, dsr::v1::Request::TARGET_ONLY, dsr::v1::ACCESS);
  dsr::v1::AccessReport report;
  report.set_purposes("research");
  ASSERT_OK(Complete("acme", access.tasks(0).name(), &report));
  const std::string id = access.request().name().substr(std::string("requests/").size());
  auto reports = [&] {
    int n = 0;
    EXPECT_OK(store_->Scan(ColumnFamily::kReports, storage::keys::TasksOf(id), "",
                           [&](absl::string_view, absl::string_view) { return ++n, true; }));
    return n;
  };
  EXPECT_EQ(reports(), 1);
  clock_.Advance(kRetention);
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(reports(), 0);
}

// A withdrawn task shows its holder no one; the purge also deletes the
// submission's idempotency record (its fingerprint covers the identifiers).
TEST_F(RetentionTest, CancelledTasksHideThePersonAndThePurgeTakesTheIdempotencyRecord) {
  dsr::v1::SubmitRequestRequest request;
  request.set_request_id("retry-1");
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value("carol@example.com");
  request.mutable_request()->add_targets(source_);
  dsr::v1::SubmitRequestResponse submitted;
  ASSERT_OK(requests_->Submit(Principal::Anonymous(), request, &submitted));
  ASSERT_OK_AND_ASSIGN(dsr::v1::Task open, HolderTask("acme", submitted.tasks(0).name()));
  EXPECT_EQ(open.subject_identifiers_size(), 1);

  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse cancelled;
  ASSERT_OK(requests_->Cancel(ReceiptOf(submitted), cancel, &cancelled));
  ASSERT_OK_AND_ASSIGN(dsr::v1::Task withdrawn, HolderTask("acme", submitted.tasks(0).name()));
  EXPECT_EQ(withdrawn.state(), dsr::v1::Task::CANCELLED);
  EXPECT_EQ(withdrawn.subject_identifiers_size(), 0);
  EXPECT_TRUE(withdrawn.details().empty());

  auto idempotency_records = [&] {
    int n = 0;
    EXPECT_OK(store_->Scan(ColumnFamily::kIdempotency, "", "",
                           [&](absl::string_view, absl::string_view) { return ++n, true; }));
    return n;
  };
  const int before = idempotency_records();
  EXPECT_GE(before, 1);
  clock_.Advance(kRetention);
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(idempotency_records(), before - 1);
}

}  // namespace
}  // namespace dsr::broker
