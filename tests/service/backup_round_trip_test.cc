// The backup round trip: a broker populated through the API is backed up,
// written to some more and stopped; the backup, restored into a new data
// directory with the key files beside it, serves exactly what the API showed
// when the backup was taken (registry, lineage, every request with its
// tasks, access reports, task lists, inboxes, the whole audit log) and the
// same audit head, and goes on from there. Without its key files a restored
// database refuses to start.

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/server/broker_server.h"
#include "dsr/v1/admin_service.grpc.pb.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "storage/backups.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/status_matchers.h"

namespace dsr::testing {
namespace {

namespace fs = std::filesystem;

// Everything the API shows, by what it is ("request requests/…"), as text.
using Dump = std::map<std::string, std::string>;

// A request filed in the scene: its name, receipt and type, and its tasks
// by holding.
struct Filed {
  std::string name;
  std::string receipt;
  dsr::v1::RequestType type = dsr::v1::REQUEST_TYPE_UNSPECIFIED;
  std::map<std::string, std::string> task_of;
};

class BackupRoundTripTest : public BrokerFixture {
 protected:
  BackupRoundTripTest()
      : BrokerFixture([this](broker::BrokerServerOptions& options) {
          options.backup_dir = dir_.Sub("backups");
        }) {}

  void SetUp() override { Connect(); }

  void Connect() {
    requests_ = dsr::v1::RequestService::NewStub(channel_);
    inbox_ = dsr::v1::InboxService::NewStub(channel_);
    audit_ = dsr::v1::AuditService::NewStub(channel_);
    admin_ = dsr::v1::AdminService::NewStub(channel_);
  }

  static void ExpectOk(const grpc::Status& status, absl::string_view what) {
    EXPECT_TRUE(status.ok()) << what << ": " << status.error_message();
  }

  Filed Submit(dsr::v1::RequestType type, const std::string& target,
               dsr::v1::Request::LineageScope scope, const std::string& email) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(type);
    request.mutable_request()->add_targets(target);
    request.mutable_request()->set_lineage_scope(scope);
    dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value(email);
    request.mutable_request()->set_details("details of " + email);
    dsr::v1::SubmitRequestResponse response;
    ExpectOk(requests_->SubmitRequest(Context().get(), request, &response), "submit");
    Filed filed{response.request().name(), response.receipt_token(), type, {}};
    for (const dsr::v1::Task& task : response.tasks()) filed.task_of[task.holding()] = task.name();
    return filed;
  }

  // The token of the actor a task is addressed to.
  std::string TokenOf(const std::string& holding) const {
    for (const auto& [actor, token] : tokens_) {
      if (absl::StartsWith(holding, absl::StrCat("actors/", actor, "/"))) return token;
    }
    return "";
  }

  void Acknowledge(const std::string& holding, const std::string& task) {
    dsr::v1::AcknowledgeTaskRequest request;
    request.set_name(task);
    dsr::v1::Task out;
    ExpectOk(inbox_->AcknowledgeTask(Context(TokenOf(holding)).get(), request, &out), "ack");
  }

  void Complete(const std::string& holding, const std::string& task, dsr::v1::Outcome outcome) {
    dsr::v1::CompleteTaskRequest request;
    request.set_name(task);
    request.set_outcome(outcome);
    request.set_explanation("Done.");
    if (outcome == dsr::v1::ACCESS_PROVIDED) {
      dsr::v1::AccessReport* report = request.mutable_access_report();
      report->set_purposes("training a language model");
      report->add_data_categories("posts");
      report->set_retention("until the next release");
      report->set_copy_url("https://beta.example/copies/1");
    }
    dsr::v1::Task out;
    ExpectOk(inbox_->CompleteTask(Context(TokenOf(holding)).get(), request, &out), "complete");
  }

  // The scene at backup time: three organisations, a retired holding, three
  // links, four requests whose tasks are open, acknowledged, completed,
  // refused, extended and cancelled, and a committed inbox cursor.
  void Populate() {
    for (const char* actor : {"alpha", "beta", "gamma"}) tokens_[actor] = CreateActor(actor);
    const std::string crawl = CreateHolding(tokens_["alpha"], "alpha", "crawl");
    const std::string model = CreateHolding(tokens_["alpha"], "alpha", "model");
    const std::string old = CreateHolding(tokens_["alpha"], "alpha", "old-crawl");
    const std::string subset = CreateHolding(tokens_["beta"], "beta", "subset");
    const std::string tune = CreateHolding(tokens_["gamma"], "gamma", "tune");
    ExpectOk(CreateLink(tokens_["alpha"], model, crawl), "link");
    ExpectOk(CreateLink(tokens_["beta"], subset, crawl), "link");
    ExpectOk(CreateLink(tokens_["gamma"], tune, model), "link");
    dsr::v1::RetireHoldingRequest retire;
    retire.set_name(old);
    dsr::v1::Holding retired;
    ExpectOk(registry_->RetireHolding(Context(tokens_["alpha"]).get(), retire, &retired), "retire");
    clock_.Advance(absl::Hours(26));

    filed_.push_back(
        Submit(dsr::v1::ERASURE, crawl, dsr::v1::Request::DOWNSTREAM, "erase-me@example.org"));
    filed_.push_back(
        Submit(dsr::v1::ACCESS, "actors/beta", dsr::v1::Request::TARGET_ONLY, "ask@example.org"));
    filed_.push_back(
        Submit(dsr::v1::OBJECTION, model, dsr::v1::Request::TARGET_ONLY, "object@example.org"));
    filed_.push_back(
        Submit(dsr::v1::RECTIFICATION, tune, dsr::v1::Request::TARGET_ONLY, "fix@example.org"));
    ASSERT_EQ(filed_[0].task_of.size(), 4u);
    clock_.Advance(absl::Hours(50));

    const Filed& erasure = filed_[0];
    Acknowledge(crawl, erasure.task_of.at(crawl));
    Complete(crawl, erasure.task_of.at(crawl), dsr::v1::ERASED);
    dsr::v1::RefuseTaskRequest refuse;
    refuse.set_name(erasure.task_of.at(model));
    refuse.set_ground(dsr::v1::LEGAL_CLAIMS);
    refuse.set_explanation("Kept for a pending lawsuit.");
    dsr::v1::Task out;
    ExpectOk(inbox_->RefuseTask(Context(tokens_["alpha"]).get(), refuse, &out), "refuse");
    Acknowledge(subset, erasure.task_of.at(subset));
    dsr::v1::ExtendTaskRequest extend;
    extend.set_name(erasure.task_of.at(tune));
    extend.set_months(1);
    extend.set_reason("The model is being retrained.");
    ExpectOk(inbox_->ExtendTask(Context(tokens_["gamma"]).get(), extend, &out), "extend");
    Complete(subset, filed_[1].task_of.at(subset), dsr::v1::ACCESS_PROVIDED);
    dsr::v1::CancelRequestRequest cancel;
    cancel.set_name(filed_[2].name);
    dsr::v1::GetRequestResponse cancelled;
    ExpectOk(requests_->CancelRequest(Context(filed_[2].receipt).get(), cancel, &cancelled),
             "cancel");
    Acknowledge(tune, filed_[3].task_of.at(tune));
    dsr::v1::CommitInboxRequest commit;
    commit.set_sequence(1);
    dsr::v1::CommitInboxResponse committed;
    ExpectOk(inbox_->CommitInbox(Context(tokens_["alpha"]).get(), commit, &committed), "commit");
  }

  // Changes after the backup, which the restored broker must not show.
  void WriteMore() {
    CreateActor("delta");
    Submit(dsr::v1::ERASURE, "actors/beta/holdings/subset", dsr::v1::Request::DOWNSTREAM,
           "later@example.org");
    Complete("actors/beta/holdings/subset", filed_[0].task_of.at("actors/beta/holdings/subset"),
             dsr::v1::ERASED);
    dsr::v1::CommitInboxRequest commit;
    commit.set_sequence(2);
    dsr::v1::CommitInboxResponse committed;
    ExpectOk(inbox_->CommitInbox(Context(tokens_["beta"]).get(), commit, &committed), "commit");
  }

  // The inbox backlog of the actor with `token`: every event up to the
  // last one.
  std::string InboxBacklog(const std::string& token) {
    dsr::v1::CommitInboxResponse cursor;
    ExpectOk(inbox_->CommitInbox(Context(token).get(), {}, &cursor), "cursor");
    std::string text = cursor.DebugString();
    if (cursor.last_sequence() == 0) return text;
    auto context = Context(token);
    auto stream = inbox_->StreamInbox(context.get(), {});
    dsr::v1::InboxEvent event;
    while (stream->Read(&event)) {
      text += event.DebugString();
      if (event.sequence() >= cursor.last_sequence()) break;
    }
    context->TryCancel();
    stream->Finish();
    return text;
  }

  // Everything the API shows about the scene `filed` and the actors of
  // tokens_, read through the fixture's channel.
  Dump Take(const std::vector<Filed>& filed) {
    Dump dump;
    dsr::v1::ListActorsRequest list_actors;
    list_actors.set_page_size(1000);
    dsr::v1::ListActorsResponse actors;
    ExpectOk(registry_->ListActors(Context().get(), list_actors, &actors), "actors");
    dump["actors"] = actors.DebugString();
    for (const dsr::v1::Actor& actor : actors.actors()) {
      dsr::v1::ListHoldingsRequest list;
      list.set_parent(actor.name());
      list.set_page_size(1000);
      dsr::v1::ListHoldingsResponse holdings;
      ExpectOk(registry_->ListHoldings(Context().get(), list, &holdings), "holdings");
      dump["holdings of " + actor.name()] = holdings.DebugString();
      for (const dsr::v1::Holding& holding : holdings.holdings()) {
        dsr::v1::GetLineageRequest lineage;
        lineage.set_holding(holding.name());
        lineage.set_direction(dsr::v1::BOTH);
        dsr::v1::GetLineageResponse graph;
        ExpectOk(registry_->GetLineage(Context().get(), lineage, &graph), "lineage");
        // Neighbours are walked in the order the in-memory graph got its
        // links, which every start (restored or not) rebuilds in key order:
        // the same lineage may list nodes of one depth, and edges, in
        // another order.
        std::sort(graph.mutable_nodes()->begin(), graph.mutable_nodes()->end(),
                  [](const dsr::v1::LineageNode& a, const dsr::v1::LineageNode& b) {
                    return std::make_tuple(a.depth(), a.direction(), a.holding()) <
                           std::make_tuple(b.depth(), b.direction(), b.holding());
                  });
        std::sort(graph.mutable_edges()->begin(), graph.mutable_edges()->end(),
                  [](const dsr::v1::LineageEdge& a, const dsr::v1::LineageEdge& b) {
                    return a.link() < b.link();
                  });
        dump["lineage of " + holding.name()] = graph.DebugString();
      }
    }
    for (const Filed& f : filed) {
      dsr::v1::GetRequestRequest get;
      get.set_name(f.name);
      get.set_page_size(1000);
      dsr::v1::GetRequestResponse request;
      ExpectOk(requests_->GetRequest(Context(f.receipt).get(), get, &request), "request");
      dump["request " + f.name] = request.DebugString();
      if (f.type == dsr::v1::ACCESS) {
        dsr::v1::GetAccessReportRequest ask;
        ask.set_name(f.name);
        dsr::v1::GetAccessReportResponse report;
        ExpectOk(requests_->GetAccessReport(Context(f.receipt).get(), ask, &report), "report");
        dump["access report " + f.name] = report.DebugString();
      }
    }
    for (const auto& [actor, token] : tokens_) {
      dsr::v1::ListTasksRequest list;
      list.set_page_size(1000);
      dsr::v1::ListTasksResponse tasks;
      ExpectOk(inbox_->ListTasks(Context(token).get(), list, &tasks), "tasks");
      dump["tasks of " + actor] = tasks.DebugString();
      dump["inbox of " + actor] = InboxBacklog(token);
    }
    dsr::v1::ListAuditEventsRequest list_events;
    list_events.set_page_size(1000);
    dsr::v1::ListAuditEventsResponse events;
    ExpectOk(audit_->ListAuditEvents(AdminContext().get(), list_events, &events), "audit");
    EXPECT_TRUE(events.next_page_token().empty());
    dump["audit events"] = events.DebugString();
    dsr::v1::VerifyAuditLogResponse verified;
    ExpectOk(audit_->VerifyAuditLog(AdminContext().get(), {}, &verified), "verify");
    EXPECT_TRUE(verified.intact());
    dump["audit verification"] = verified.DebugString();
    return dump;
  }

  static void ExpectSame(const Dump& restored, const Dump& original) {
    std::vector<std::string> labels, original_labels;
    for (const auto& [label, text] : restored) labels.push_back(label);
    for (const auto& [label, text] : original) original_labels.push_back(label);
    ASSERT_EQ(labels, original_labels);
    for (const auto& [label, text] : original) EXPECT_EQ(restored.at(label), text) << label;
  }

  dsr::v1::VerifyAuditLogResponse VerifyAudit() {
    dsr::v1::VerifyAuditLogResponse verified;
    ExpectOk(audit_->VerifyAuditLog(AdminContext().get(), {}, &verified), "verify");
    return verified;
  }

  // Stops the broker and starts one on `data_dir`, running `while_stopped`
  // in between.
  void RestartOn(const std::string& data_dir, const std::function<void()>& while_stopped) {
    requests_.reset();
    inbox_.reset();
    audit_.reset();
    admin_.reset();
    data_dir_ = data_dir;
    Restart(while_stopped);
    Connect();
  }

  // Copies the key files and the admin token of the original data directory.
  void CopyKeyFiles(const std::string& to, const std::vector<std::string>& files) {
    fs::create_directories(to);
    for (const std::string& file : files) {
      fs::copy_file(dir_.Sub(file), fs::path(to) / file);
      ::chmod((fs::path(to) / file).c_str(), 0600);
    }
  }

  std::map<std::string, std::string> tokens_;
  std::vector<Filed> filed_;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox_;
  std::unique_ptr<dsr::v1::AuditService::Stub> audit_;
  std::unique_ptr<dsr::v1::AdminService::Stub> admin_;
};

TEST_F(BackupRoundTripTest, ARestoredBackupServesWhatTheBrokerShowedWhenItWasTaken) {
  ASSERT_NO_FATAL_FAILURE(Populate());
  // Nothing is written between this dump and the backup (whose own audit
  // event comes after the copy).
  const Dump at_backup = Take(filed_);
  const dsr::v1::VerifyAuditLogResponse head = VerifyAudit();
  ASSERT_TRUE(head.intact());
  ASSERT_GT(head.event_count(), 20u);
  dsr::v1::Backup backup;
  ExpectOk(admin_->CreateBackup(AdminContext().get(), {}, &backup), "backup");
  ASSERT_EQ(backup.backup_id(), 1u);

  ASSERT_NO_FATAL_FAILURE(WriteMore());
  const Dump later = Take(filed_);
  // The later writes show: the comparison below can tell.
  for (const char* label :
       {"actors", "tasks of beta", "inbox of beta", "audit events", "audit verification"}) {
    EXPECT_NE(later.at(label), at_backup.at(label)) << label;
  }
  EXPECT_NE(later.at("request " + filed_[0].name), at_backup.at("request " + filed_[0].name));

  const std::string restored = dir_.Sub("restored");
  RestartOn(restored, [&] {
    ASSERT_OK(storage::Backups::Restore(dir_.Sub("backups"), backup.backup_id(),
                                        broker::DatabaseDir(restored)));
    CopyKeyFiles(restored, {"master_key", "pepper", "admin_token"});
  });
  ASSERT_NE(server_, nullptr);
  ExpectSame(Take(filed_), at_backup);
  const dsr::v1::VerifyAuditLogResponse restored_head = VerifyAudit();
  EXPECT_TRUE(restored_head.intact());
  EXPECT_EQ(restored_head.event_count(), head.event_count());
  EXPECT_EQ(restored_head.head_hash(), head.head_hash());

  // The restored broker goes on: the chain grows from the same head, and
  // the personal data it restored is readable (the same keys).
  CreateActor("epsilon");
  const dsr::v1::VerifyAuditLogResponse next = VerifyAudit();
  EXPECT_TRUE(next.intact());
  EXPECT_EQ(next.event_count(), head.event_count() + 1);
  dsr::v1::GetRequestRequest get;
  get.set_name(filed_[0].name);
  dsr::v1::GetRequestResponse read;
  ExpectOk(requests_->GetRequest(Context(filed_[0].receipt).get(), get, &read), "read");
  ASSERT_EQ(read.request().subject_identifiers_size(), 1);
  EXPECT_EQ(read.request().subject_identifiers(0).value(), "erase-me@example.org");
}

TEST_F(BackupRoundTripTest, ARestoredDatabaseWithoutItsKeyFilesRefusesToStart) {
  CreateHolding(CreateActor("alpha"), "alpha", "crawl");
  Submit(dsr::v1::ERASURE, "actors/alpha", dsr::v1::Request::DOWNSTREAM, "a@example.org");
  dsr::v1::Backup backup;
  ExpectOk(admin_->CreateBackup(AdminContext().get(), {}, &backup), "backup");
  requests_.reset();
  registry_.reset();
  channel_.reset();
  server_->Shutdown(absl::Seconds(5));
  server_.reset();

  const std::string restored = dir_.Sub("restored");
  ASSERT_OK(
      storage::Backups::Restore(dir_.Sub("backups"), std::nullopt, broker::DatabaseDir(restored)));
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = restored;
  options.clock = &clock_;
  absl::StatusOr<std::unique_ptr<broker::BrokerServer>> started =
      broker::BrokerServer::Start(options);
  EXPECT_CODE(started, absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(started.status().message(), "master key file")) << started.status();
  EXPECT_TRUE(absl::StrContains(started.status().message(), "missing")) << started.status();
  EXPECT_FALSE(fs::exists(fs::path(restored) / "master_key"));  // not made anew

  CopyKeyFiles(restored, {"master_key"});
  started = broker::BrokerServer::Start(options);
  EXPECT_CODE(started, absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(started.status().message(), "pepper file")) << started.status();

  CopyKeyFiles(restored, {"pepper"});
  started = broker::BrokerServer::Start(options);
  EXPECT_OK(started);
}

}  // namespace
}  // namespace dsr::testing
