// The `dsr` command line against a scripted connection: what it sends, what
// it prints, how it fails.

#include "client/cli/cli.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/time/clock.h"
#include "client/cli/format.h"
#include "client/cli/receipts.h"
#include "client/cli/verified.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_connection.h"
#include "tests/support/temp_dir.h"

namespace dsr::client {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::Return;

class CliTest : public ::testing::Test {
 protected:
  CliTest() { Fresh(); }
  // A new scripted connection for the next run.
  MockConnection& Fresh() {
    mock_ = std::make_unique<MockConnection>();
    mock_raw_ = mock_.get();
    return *mock_raw_;
  }
  int Run(const std::vector<std::string>& args, std::map<std::string, std::string> env_vars = {}) {
    out_.str("");
    err_.str("");
    CliEnvironment env;
    env.out = &out_;
    env.err = &err_;
    env.data_dir = dir_.Sub("data");
    env.in = &in_;
    env.in_is_terminal = terminal_;
    env.connect = [this](const ConnectionOptions& options) -> std::unique_ptr<Connection> {
      seen_ = options;
      return std::move(mock_);
    };
    env.getenv = [env_vars](const char* name) -> const char* {
      auto it = env_vars.find(name);
      return it == env_vars.end() ? nullptr : it->second.c_str();
    };
    return RunDsr(args, env);
  }
  static dsr::v1::SubmitRequestResponse Filed() {
    dsr::v1::SubmitRequestResponse filed;
    filed.mutable_request()->set_name("requests/abc123");
    filed.mutable_request()->set_type(dsr::v1::ERASURE);
    filed.set_receipt_token("dsr_receipt_secret");
    dsr::v1::Task* root = filed.add_tasks();
    root->set_name("requests/abc123/tasks/1");
    root->set_holding("actors/acme/holdings/crawl");
    root->set_actor("actors/acme");
    dsr::v1::Task* model = filed.add_tasks();
    model->set_name("requests/abc123/tasks/2");
    model->set_holding("actors/beta/holdings/model");
    model->set_actor("actors/beta");
    model->set_via("actors/acme/holdings/crawl");
    return filed;
  }

  testing::TempDir dir_;
  std::unique_ptr<MockConnection> mock_;
  MockConnection* mock_raw_ = nullptr;
  ConnectionOptions seen_;
  std::ostringstream out_, err_;
  // What the person types, when the run is on a terminal.
  std::istringstream in_;
  bool terminal_ = false;
};

dsr::v1::Verification Started(const std::string& value) {
  dsr::v1::Verification started;
  started.set_name("verifications/abc");
  started.mutable_identifier()->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  started.mutable_identifier()->set_value(value);
  started.mutable_expire_time()->set_seconds(4102444800);  // 2100
  return started;
}

dsr::v1::ConfirmVerificationResponse Confirmed(const std::string& token) {
  dsr::v1::ConfirmVerificationResponse confirmed;
  confirmed.set_verification_token(token);
  confirmed.mutable_expire_time()->set_seconds(4102444800);
  return confirmed;
}

TEST_F(CliTest, VerifyThenSubmitSpendsTheKeptProofOnce) {
  // Off a terminal, the code comes in a second run.
  EXPECT_CALL(*mock_raw_, CreateVerification(_))
      .WillOnce(Invoke([](const dsr::v1::CreateVerificationRequest& r) {
        EXPECT_EQ(r.identifier().type(), dsr::v1::SubjectIdentifier::EMAIL);
        return Started("alice@example.org");
      }));
  ASSERT_EQ(Run({"verify", "email", "Alice@Example.org"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("A code was sent to alice@example.org"));
  EXPECT_THAT(out_.str(), HasSubstr("--code CODE"));
  EXPECT_CALL(Fresh(), ConfirmVerification(_))
      .WillOnce(Invoke([](const dsr::v1::ConfirmVerificationRequest& r) {
        EXPECT_EQ(r.name(), "verifications/abc");
        EXPECT_EQ(r.code(), "12345678");
        return Confirmed("dsr_verified_one");
      }));
  ASSERT_EQ(Run({"verify", "email", "Alice@Example.org", "--code", "12345678"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("Verified until"));
  // The token file holds the token, privately.
  struct stat info;
  bool found = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.Sub("data") + "/verified")) {
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0077, 0u) << entry.path();
    found = true;
  }
  EXPECT_TRUE(found);

  dsr::v1::SubmitRequestRequest sent;
  EXPECT_CALL(Fresh(), SubmitRequest(_))
      .WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
        sent = r;
        return Filed();
      }));
  ASSERT_EQ(Run({"submit", "access", "--email", "alice@example.org ", "--holding",
                 "actors/acme/holdings/crawl"}),
            0)
      << err_.str();
  ASSERT_EQ(sent.verification_tokens_size(), 1);
  EXPECT_EQ(sent.verification_tokens(0), "dsr_verified_one");
  // Spent: the next submission sends none.
  EXPECT_CALL(Fresh(), SubmitRequest(_))
      .WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
        sent = r;
        return Filed();
      }));
  ASSERT_EQ(Run({"submit", "access", "--email", "alice@example.org", "--holding",
                 "actors/acme/holdings/crawl"}),
            0);
  EXPECT_EQ(sent.verification_tokens_size(), 0);
}

TEST_F(CliTest, ReverifyAnswersAHolderWithTheKeptProof) {
  ASSERT_TRUE(ReceiptStore(dir_.Sub("data")).Save("requests/abc123", "dsr_receipt_kept").ok());
  dsr::v1::SubjectIdentifier alice;
  alice.set_type(dsr::v1::SubjectIdentifier::EMAIL);
  alice.set_value("alice@example.org");
  ASSERT_TRUE(VerificationStore(dir_.Sub("data"))
                  .SaveToken(alice, "dsr_verified_fresh", absl::Now() + absl::Minutes(30))
                  .ok());
  EXPECT_CALL(*mock_raw_, GetRequest(_)).WillOnce(Invoke([&](const dsr::v1::GetRequestRequest&) {
    dsr::v1::GetRequestResponse read;
    read.mutable_request()->set_name("requests/abc123");
    *read.mutable_request()->add_subject_identifiers() = alice;
    return read;
  }));
  EXPECT_CALL(*mock_raw_, ConfirmIdentity(_))
      .WillOnce(Invoke([](const dsr::v1::ConfirmIdentityRequest& r) {
        EXPECT_EQ(r.name(), "requests/abc123");
        EXPECT_THAT(r.verification_tokens(), ::testing::ElementsAre("dsr_verified_fresh"));
        dsr::v1::GetRequestResponse done;
        done.mutable_request()->set_name("requests/abc123");
        dsr::v1::Task* waiting = done.add_tasks();
        waiting->set_actor("actors/acme");
        waiting->set_state(dsr::v1::Task::WAITING_FOR_IDENTITY);
        waiting->set_identity_request("two of you");
        done.mutable_request()->mutable_task_counts()->set_waiting_for_identity(1);
        return done;
      }));
  ASSERT_EQ(Run({"reverify", "requests/abc123"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("actors/acme asks: "));
  EXPECT_THAT(out_.str(), HasSubstr("two of you"));
  // Spent: a second run has nothing to send.
  EXPECT_CALL(Fresh(), GetRequest(_)).WillOnce(Invoke([&](const dsr::v1::GetRequestRequest&) {
    dsr::v1::GetRequestResponse read;
    *read.mutable_request()->add_subject_identifiers() = alice;
    return read;
  }));
  EXPECT_EQ(Run({"reverify", "requests/abc123"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("dsr verify email"));
}

TEST_F(CliTest, SubmitAsksForUpdatesAndAHolderAsksForIdentity) {
  dsr::v1::SubmitRequestRequest sent;
  EXPECT_CALL(*mock_raw_, SubmitRequest(_))
      .WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
        sent = r;
        return Filed();
      }));
  ASSERT_EQ(Run({"submit", "erasure", "--email", "alice@example.org", "--holding",
                 "actors/acme/holdings/crawl", "--email-updates", "--language", "fr"}),
            0)
      << err_.str();
  EXPECT_TRUE(sent.email_updates());
  EXPECT_EQ(sent.language_code(), "fr");
  EXPECT_CALL(Fresh(), RequestIdentity(_))
      .WillOnce(Invoke([](const dsr::v1::RequestIdentityRequest& r) {
        EXPECT_EQ(r.name(), "requests/abc123/tasks/1");
        EXPECT_EQ(r.message(), "two of you");
        dsr::v1::Task task;
        task.set_name(r.name());
        task.set_state(dsr::v1::Task::WAITING_FOR_IDENTITY);
        return task;
      }));
  ASSERT_EQ(Run({"--token", "dsr_actor_x", "task", "ask-identity", "requests/abc123/tasks/1",
                 "--message", "two of you"}),
            0)
      << err_.str();
}

TEST_F(CliTest, VerifyAsksForTheCodeOnATerminal) {
  terminal_ = true;
  in_.str("87654321\n");
  EXPECT_CALL(*mock_raw_, CreateVerification(_)).WillOnce(Return(Started("alice@example.org")));
  EXPECT_CALL(*mock_raw_, ConfirmVerification(_))
      .WillOnce(Invoke([](const dsr::v1::ConfirmVerificationRequest& r) {
        EXPECT_EQ(r.code(), "87654321");
        return Confirmed("dsr_verified_two");
      }));
  ASSERT_EQ(Run({"verify", "email", "alice@example.org"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("Code: "));
  EXPECT_THAT(out_.str(), HasSubstr("Verified until"));
}

TEST_F(CliTest, RequestsNeedsAProofThenKeepsEveryNewReceipt) {
  EXPECT_EQ(Run({"requests", "--email", "alice@example.org"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("prove it first: dsr verify email alice@example.org"));
  terminal_ = true;
  in_.str("11112222\n");
  EXPECT_CALL(Fresh(), CreateVerification(_)).WillOnce(Return(Started("alice@example.org")));
  EXPECT_CALL(*mock_raw_, ConfirmVerification(_)).WillOnce(Return(Confirmed("dsr_verified_3")));
  ASSERT_EQ(Run({"verify", "email", "alice@example.org"}), 0) << err_.str();

  int calls = 0;
  EXPECT_CALL(Fresh(), ListRequests(_))
      .Times(2)
      .WillRepeatedly(Invoke([&](const dsr::v1::ListRequestsRequest& r) {
        EXPECT_EQ(r.verification_token(), "dsr_verified_3");
        dsr::v1::ListRequestsResponse page;
        dsr::v1::FoundRequest* found = page.add_requests();
        found->mutable_request()->set_name(calls == 0 ? "requests/first" : "requests/second");
        found->mutable_request()->set_type(dsr::v1::ACCESS);
        found->set_receipt_token(calls == 0 ? "dsr_receipt_first" : "dsr_receipt_second");
        if (calls++ == 0) page.set_next_page_token("more");
        return page;
      }));
  ASSERT_EQ(Run({"requests", "--email", "alice@example.org"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("requests/first"));
  EXPECT_THAT(out_.str(), HasSubstr("requests/second"));
  EXPECT_EQ(*ReceiptStore(dir_.Sub("data")).Load("requests/second"), "dsr_receipt_second");
  EXPECT_EQ(*ReceiptStore(dir_.Sub("data")).Load("requests/first"), "dsr_receipt_first");
}

TEST_F(CliTest, SubmitSendsTypedIdentifiersAndKeepsThePrivateReceipt) {
  dsr::v1::SubmitRequestRequest sent;
  EXPECT_CALL(*mock_raw_, SubmitRequest(_))
      .WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
        sent = r;
        return Filed();
      }));
  ASSERT_EQ(Run({"submit", "erasure", "--email", "alice@example.com", "--username", "github:alice",
                 "--holding", "actors/acme/holdings/crawl", "--actor", "actors/beta", "--scope",
                 "lineage", "--details", "all my posts"}),
            0)
      << err_.str();
  EXPECT_EQ(sent.request().type(), dsr::v1::ERASURE);
  ASSERT_EQ(sent.request().subject_identifiers_size(), 2);
  EXPECT_EQ(sent.request().subject_identifiers(0).type(), dsr::v1::SubjectIdentifier::EMAIL);
  EXPECT_EQ(sent.request().subject_identifiers(1).type(), dsr::v1::SubjectIdentifier::USERNAME);
  EXPECT_EQ(sent.request().targets_size(), 2);
  EXPECT_EQ(sent.request().lineage_scope(), dsr::v1::Request::FULL_LINEAGE);
  EXPECT_EQ(sent.request().details(), "all my posts");
  // Where it went, as a tree: the model under the crawl it came through.
  EXPECT_THAT(out_.str(), HasSubstr("└── actors/acme/holdings/crawl"));
  EXPECT_THAT(out_.str(), HasSubstr("    └── actors/beta/holdings/model"));
  EXPECT_THAT(out_.str(), ::testing::Not(HasSubstr("dsr_receipt_secret")));

  ReceiptStore receipts(dir_.Sub("data"));
  ASSERT_EQ(*receipts.Load("requests/abc123"), "dsr_receipt_secret");
  EXPECT_EQ(*receipts.Latest(), "requests/abc123");
  struct stat st;
  ASSERT_EQ(::stat((receipts.directory() + "/abc123").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(receipts.directory().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(CliTest, SubmitMakesItsOwnReceiptAndARetrySendsTheSameOne) {
  std::vector<std::string> receipts;
  EXPECT_CALL(*mock_raw_, SubmitRequest(_))
      .WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
        receipts.push_back(r.receipt_token());
        return absl::UnavailableError("cannot reach the broker at 127.0.0.1:1");
      }));
  const std::vector<std::string> submit = {
      "submit",       "erasure",   "--email", "a@b.org", "--holding", "actors/acme/holdings/crawl",
      "--request-id", "retry-me-1"};
  EXPECT_EQ(Run(submit), 1);
  MockConnection& next = Fresh();
  EXPECT_CALL(next, SubmitRequest(_)).WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
    receipts.push_back(r.receipt_token());
    dsr::v1::SubmitRequestResponse filed = Filed();
    filed.set_receipt_token(r.receipt_token());
    return filed;
  }));
  ASSERT_EQ(Run(submit), 0) << err_.str();
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(receipts[0], receipts[1]);
  EXPECT_EQ(receipts[0].rfind("dsr_receipt_", 0), 0u);
  EXPECT_EQ(receipts[0].size(), std::string("dsr_receipt_").size() + 43);
  EXPECT_EQ(*ReceiptStore(dir_.Sub("data")).Load("requests/abc123"), receipts[0]);
  // Another key, another receipt.
  MockConnection& third = Fresh();
  EXPECT_CALL(third, SubmitRequest(_)).WillOnce(Invoke([&](const dsr::v1::SubmitRequestRequest& r) {
    receipts.push_back(r.receipt_token());
    return Filed();
  }));
  ASSERT_EQ(
      Run({"submit", "erasure", "--email", "a@b.org", "--holding", "actors/acme/holdings/crawl"}),
      0);
  EXPECT_NE(receipts[2], receipts[0]);
}

TEST(HolderWordsTest, MarksQuotesAndDisarmsWhatAHolderWrote) {
  EXPECT_EQ(HolderWords("needed for a lawsuit"), "(the holder's words) \"needed for a lawsuit\"");
  // No terminal escape, no line break to fake another line, no link.
  EXPECT_EQ(HolderWords("see\x1b[2J https://evil.example/login\nstatus: erased"),
            "(the holder's words) \"see[2J https[:]//evil.example/login status: erased\"");
  // No bidirectional override to reverse what is read.
  EXPECT_EQ(HolderWords("a\xe2\x80\xae"
                        "b\xe2\x81\xa6"
                        "c"),
            "(the holder's words) \"abc\"");
}

TEST_F(CliTest, StatusUsesTheKeptReceiptOfTheLatestRequest) {
  EXPECT_CALL(*mock_raw_, SubmitRequest(_)).WillOnce(Return(Filed()));
  ASSERT_EQ(
      Run({"submit", "erasure", "--email", "a@b.org", "--holding", "actors/acme/holdings/crawl"}),
      0);
  MockConnection& next = Fresh();
  dsr::v1::GetRequestResponse read;
  *read.mutable_request() = Filed().request();
  read.mutable_request()->set_state(dsr::v1::Request::COMPLETED);
  read.mutable_request()->mutable_task_counts()->set_completed(1);
  read.mutable_request()->mutable_task_counts()->set_refused(1);
  *read.add_tasks() = Filed().tasks(0);
  read.mutable_tasks(0)->set_state(dsr::v1::Task::COMPLETED);
  read.mutable_tasks(0)->set_outcome(dsr::v1::ERASED);
  *read.add_tasks() = Filed().tasks(1);
  read.mutable_tasks(1)->set_state(dsr::v1::Task::REFUSED);
  read.mutable_tasks(1)->set_refusal_ground(dsr::v1::LEGAL_CLAIMS);
  read.mutable_tasks(1)->set_explanation("pending lawsuit");
  read.mutable_tasks(1)->set_overdue(false);
  EXPECT_CALL(next, GetRequest(_)).WillOnce(Invoke([&](const dsr::v1::GetRequestRequest& r) {
    EXPECT_EQ(r.name(), "requests/abc123");
    return read;
  }));
  ASSERT_EQ(Run({"status"}), 0) << err_.str();
  EXPECT_EQ(seen_.token, "dsr_receipt_secret");
  EXPECT_THAT(out_.str(), HasSubstr("requests/abc123  erasure  completed"));
  EXPECT_THAT(out_.str(), HasSubstr("erased"));
  EXPECT_THAT(out_.str(), HasSubstr("legal-claims: (the holder's words) \"pending lawsuit\""));
}

TEST_F(CliTest, AnOrganisationTokenInTheEnvironmentDoesNotHideTheReceipt) {
  EXPECT_CALL(*mock_raw_, SubmitRequest(_)).WillOnce(Return(Filed()));
  ASSERT_EQ(
      Run({"submit", "erasure", "--email", "a@b.org", "--holding", "actors/acme/holdings/crawl"}),
      0);
  MockConnection& next = Fresh();
  EXPECT_CALL(next, GetRequest(_)).WillOnce(Return(dsr::v1::GetRequestResponse()));
  ASSERT_EQ(Run({"status"}, {{"DSR_TOKEN", "dsr_actor_org"}}), 0) << err_.str();
  EXPECT_EQ(seen_.token, "dsr_receipt_secret");
  // An explicit --token still wins (the admin reading someone's request).
  MockConnection& admin = Fresh();
  EXPECT_CALL(admin, GetRequest(_)).WillOnce(Return(dsr::v1::GetRequestResponse()));
  ASSERT_EQ(Run({"status", "requests/abc123", "--token", "dsr_admin_x"}), 0) << err_.str();
  EXPECT_EQ(seen_.token, "dsr_admin_x");
}

TEST_F(CliTest, GlobalOptionsMayFollowTheCommand) {
  EXPECT_CALL(*mock_raw_, ListHoldings(_)).WillOnce(Return(dsr::v1::ListHoldingsResponse()));
  ASSERT_EQ(Run({"holdings", "--json", "--token", "t9"}), 0) << err_.str();
  EXPECT_EQ(seen_.token, "t9");
  EXPECT_THAT(out_.str(), HasSubstr("{"));
}

TEST_F(CliTest, WatchPrintsEachEventAndCommitsItsSequence) {
  std::vector<uint64_t> committed;
  EXPECT_CALL(*mock_raw_, StreamInbox(_, _))
      .WillOnce(Invoke([](const dsr::v1::StreamInboxRequest& r,
                          const std::function<bool(const dsr::v1::InboxEvent&)>& on_event) {
        EXPECT_TRUE(r.from_committed_cursor());
        for (uint64_t seq = 5; seq <= 9; ++seq) {
          dsr::v1::InboxEvent e;
          e.set_sequence(seq);
          e.set_kind(dsr::v1::InboxEvent::TASK_CREATED);
          e.mutable_task()->set_name("requests/r/tasks/" + std::to_string(seq));
          if (!on_event(e)) break;
        }
        return absl::OkStatus();
      }));
  EXPECT_CALL(*mock_raw_, CommitInbox(_))
      .WillRepeatedly(Invoke([&](const dsr::v1::CommitInboxRequest& r) {
        committed.push_back(r.sequence());
        return dsr::v1::CommitInboxResponse();
      }));
  ASSERT_EQ(Run({"inbox", "watch", "--count", "3"}), 0) << err_.str();
  EXPECT_EQ(committed, (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_THAT(out_.str(), HasSubstr("#7 task-created requests/r/tasks/7"));
  EXPECT_THAT(out_.str(), ::testing::Not(HasSubstr("tasks/8")));
}

TEST_F(CliTest, JsonPrintsTheApiMessage) {
  EXPECT_CALL(*mock_raw_, VerifyAuditLog(_)).WillOnce([] {
    dsr::v1::VerifyAuditLogResponse r;
    r.set_intact(true);
    r.set_event_count(42);
    return r;
  });
  ASSERT_EQ(Run({"--json", "admin", "audit", "verify"}), 0);
  EXPECT_THAT(out_.str(), HasSubstr("\"intact\": true"));
  EXPECT_THAT(out_.str(), HasSubstr("\"eventCount\": \"42\""));
}

TEST_F(CliTest, BrokenAuditChainExitsOneNamingTheEvent) {
  EXPECT_CALL(*mock_raw_, VerifyAuditLog(_)).WillOnce([] {
    dsr::v1::VerifyAuditLogResponse r;
    r.set_intact(false);
    r.set_first_broken_sequence(17);
    return r;
  });
  EXPECT_EQ(Run({"admin", "audit", "verify"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("breaks at event 17"));
}

TEST_F(CliTest, GlobalOptionsComeFromFlagsOrEnvironment) {
  EXPECT_CALL(*mock_raw_, ListTasks(_)).WillOnce(Return(dsr::v1::ListTasksResponse()));
  ASSERT_EQ(Run({"inbox", "list"}, {{"DSR_BROKER", "broker.example:7000"}, {"DSR_TOKEN", "t1"}}),
            0);
  EXPECT_EQ(seen_.broker, "broker.example:7000");
  EXPECT_EQ(seen_.token, "t1");
  MockConnection& next = Fresh();
  EXPECT_CALL(next, ListTasks(_)).WillOnce(Return(dsr::v1::ListTasksResponse()));
  ASSERT_EQ(Run({"--broker", "other:1", "--token", "t2", "--timeout", "5", "inbox", "list"},
                {{"DSR_TOKEN", "t1"}}),
            0);
  EXPECT_EQ(seen_.broker, "other:1");
  EXPECT_EQ(seen_.token, "t2");
  EXPECT_EQ(seen_.timeout, absl::Seconds(5));
}

TEST_F(CliTest, TaskCommandsMapWordsToTheApi) {
  dsr::v1::RefuseTaskRequest refused;
  EXPECT_CALL(*mock_raw_, RefuseTask(_)).WillOnce(Invoke([&](const dsr::v1::RefuseTaskRequest& r) {
    refused = r;
    return dsr::v1::Task();
  }));
  ASSERT_EQ(Run({"--token", "t", "task", "refuse", "requests/abc/tasks/2", "--ground",
                 "archiving-research-statistics", "--explanation", "public archive"}),
            0)
      << err_.str();
  EXPECT_EQ(refused.ground(), dsr::v1::ARCHIVING_RESEARCH_STATISTICS);
  EXPECT_EQ(refused.explanation(), "public archive");

  MockConnection& next = Fresh();
  dsr::v1::ExtendTaskRequest extended;
  EXPECT_CALL(next, ExtendTask(_)).WillOnce(Invoke([&](const dsr::v1::ExtendTaskRequest& r) {
    extended = r;
    return dsr::v1::Task();
  }));
  ASSERT_EQ(Run({"task", "extend", "requests/abc/tasks/2", "--months", "2", "--reason", "busy"}),
            0);
  EXPECT_EQ(extended.months(), 2);
}

TEST_F(CliTest, MistakesExitTwoAndBrokerRefusalsExitOneWithOneLine) {
  EXPECT_EQ(Run({"submit", "erasure", "--email", "a@b.org"}), 2);  // no target
  EXPECT_THAT(err_.str(), HasSubstr("--holding or --actor"));
  EXPECT_EQ(Run({"submit", "forget-me", "--email", "a@b.org", "--holding", "x"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("TYPE must be one of: access"));
  EXPECT_EQ(Run({"task", "extend", "requests/a/tasks/1", "--months", "3", "--reason", "x"}), 2);
  EXPECT_EQ(Run({"no-such-command"}), 2);
  EXPECT_EQ(Run({"task", "complete", "requests/a/tasks/1", "--outcome", "shredded"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--outcome must be one of"));
  EXPECT_EQ(Run({"submit", "erasure", "--email", "a@b.org", "--holding", "x", "--scope", "all"}),
            2);

  // What the broker refuses is exit 1.
  MockConnection& invalid = Fresh();
  EXPECT_CALL(invalid, SubmitRequest(_))
      .WillOnce(Return(absl::InvalidArgumentError(
          "request.subject_identifiers[0].value is not a valid email address")));
  EXPECT_EQ(Run({"submit", "erasure", "--email", "nope", "--holding", "actors/a/holdings/b"}), 1);
  EXPECT_EQ(err_.str(), "dsr: request.subject_identifiers[0].value is not a valid email address\n");

  MockConnection& refusing = Fresh();
  EXPECT_CALL(refusing, ListHoldings(_))
      .WillOnce(Return(absl::UnavailableError("cannot reach the broker at 127.0.0.1:1")));
  EXPECT_EQ(Run({"holdings"}), 1);
  EXPECT_EQ(err_.str(),
            "dsr: cannot reach the broker at 127.0.0.1:1 (if it serves TLS, add --tls-ca)\n");

  MockConnection& unknown = Fresh();
  EXPECT_CALL(unknown, ListTasks(_)).WillOnce(Return(absl::UnauthenticatedError("unknown token")));
  EXPECT_EQ(Run({"--token", "bad", "inbox", "list"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("unknown token (check --token or DSR_TOKEN)"));
}

TEST_F(CliTest, ImportLoadsGoodRowsReportsBadOnesByLineAndKeepsTokensPrivate) {
  const std::string nodes = dir_.Sub("nodes.tsv");
  const std::string edges = dir_.Sub("graph.tsv");
  std::ofstream(nodes)
      << "id\tkind\tholder_org\tlicense\tname\tholder_source\tsource\trefs\tin_graph\n"
      << "hf:a\tdataset\tAcme Labs;Beta\tMIT\tA\t\t\t\t1\n"
      << "name:b\tmodel\t\t\tB\t\t\t\t1\n"
      << "broken row\n"
      << "hf:c\tspreadsheet\tAcme Labs\t\tC\t\t\t\t1\n";
  std::ofstream(edges)
      << "child_id\tchild_kind\tchild_holder_org\trelation\tparent_id\tparent_holder_org\t"
         "parent_kind\tsource\n"
      << "name:b\tmodel\t\ttrained_on\thf:a\tAcme Labs\tdataset\tx\n"
      << "name:b\tmodel\t\tinspired_by\thf:a\tAcme Labs\tdataset\tx\n"
      << "hf:zz\tmodel\t\ttrained_on\thf:a\tAcme Labs\tdataset\tx\n";
  std::vector<std::string> actors;
  EXPECT_CALL(*mock_raw_, CreateActor(_))
      .WillRepeatedly(Invoke([&](const dsr::v1::CreateActorRequest& r)
                                 -> absl::StatusOr<dsr::v1::CreateActorResponse> {
        actors.push_back(r.actor_id());
        if (r.actor_id() == "beta") return absl::AlreadyExistsError("exists");
        dsr::v1::CreateActorResponse made;
        made.set_token("dsr_actor_" + r.actor_id());
        return made;
      }));
  dsr::v1::CreateHoldingRequest holding_a;
  EXPECT_CALL(*mock_raw_, CreateHolding(_))
      .Times(2)
      .WillRepeatedly(Invoke([&](const dsr::v1::CreateHoldingRequest& r) {
        if (r.holding().external_ids(0) == "hf:a") holding_a = r;
        return dsr::v1::Holding();
      }));
  dsr::v1::CreateLinkRequest link;
  EXPECT_CALL(*mock_raw_, CreateLink(_)).WillOnce(Invoke([&](const dsr::v1::CreateLinkRequest& r) {
    link = r;
    return dsr::v1::Link();
  }));
  const std::string tokens = dir_.Sub("tokens.txt");
  ASSERT_EQ(Run({"--token", "admin", "admin", "import", "--nodes", nodes, "--edges", edges,
                 "--tokens-out", tokens, "--threads", "1"}),
            0)
      << err_.str();
  std::sort(actors.begin(), actors.end());
  EXPECT_EQ(actors, (std::vector<std::string>{"acme-labs", "beta", "unknown-holder"}));
  EXPECT_EQ(holding_a.parent(), "actors/acme-labs");  // the first co-creator owns it
  EXPECT_EQ(holding_a.holding_id(), "hf-a");
  EXPECT_EQ(link.link().child(), "actors/unknown-holder/holdings/name-b");
  EXPECT_EQ(link.link().relation(), dsr::v1::Link::TRAINED_ON);
  EXPECT_THAT(err_.str(), HasSubstr(nodes + ":4: has 1 columns, want 9"));
  EXPECT_THAT(err_.str(), HasSubstr(nodes + ":5: kind must be dataset or model"));
  EXPECT_THAT(err_.str(), HasSubstr(edges + ":3: has an unknown relation"));
  EXPECT_THAT(err_.str(), HasSubstr(edges + ":4: names a node that the nodes file lacks"));
  EXPECT_THAT(out_.str(), HasSubstr("organisations: 2 new, 1 already there"));
  EXPECT_THAT(out_.str(), HasSubstr("rows not loaded: 4"));
  std::ifstream in(tokens);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(content, HasSubstr("acme-labs dsr_actor_acme-labs\n"));
  EXPECT_THAT(content, ::testing::Not(HasSubstr("beta")));
  struct stat st;
  ASSERT_EQ(::stat(tokens.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CliTest, ImportStopsWhenTheBrokerRefusesTheCredential) {
  const std::string nodes = dir_.Sub("nodes.tsv");
  const std::string edges = dir_.Sub("graph.tsv");
  std::ofstream(nodes) << "id\tkind\tholder_org\tlicense\tname\tholder_source\tsource\trefs\t"
                          "in_graph\nhf:a\tdataset\tAcme\t\tA\t\t\t\t1\n";
  std::ofstream(edges) << "child_id\tchild_kind\tchild_holder_org\trelation\tparent_id\t"
                          "parent_holder_org\tparent_kind\tsource\n";
  EXPECT_CALL(*mock_raw_, CreateActor(_))
      .WillOnce(Return(absl::PermissionDeniedError("this method is for the administrator")));
  EXPECT_CALL(*mock_raw_, CreateHolding(_)).Times(0);
  EXPECT_EQ(Run({"--token", "actor", "admin", "import", "--nodes", nodes, "--edges", edges,
                 "--tokens-out", dir_.Sub("t.txt")}),
            1);
  EXPECT_THAT(err_.str(), HasSubstr("administrator"));
}

TEST_F(CliTest, EveryCommandHelpShowsAnExample) {
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"submit"},
                                             {"status"},
                                             {"cancel"},
                                             {"report"},
                                             {"holdings"},
                                             {"lineage"},
                                             {"holding", "create"},
                                             {"holding", "update"},
                                             {"holding", "retire"},
                                             {"link", "add"},
                                             {"link", "rm"},
                                             {"inbox", "list"},
                                             {"inbox", "watch"},
                                             {"task", "show"},
                                             {"task", "ack"},
                                             {"task", "complete"},
                                             {"task", "refuse"},
                                             {"task", "extend"},
                                             {"admin", "actor", "create"},
                                             {"admin", "actor", "rotate-token"},
                                             {"admin", "audit", "list"},
                                             {"admin", "import"},
                                             {"admin", "audit", "verify"},
                                             {"admin", "backup", "create"},
                                             {"admin", "backup", "list"},
                                             {"admin", "backup", "verify"}}) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    EXPECT_EQ(Run(args), 0);
    // The command's own page (not its group's), with its example.
    std::string usage = "Usage: dsr";
    for (const std::string& word : command) usage += " " + word;
    EXPECT_THAT(out_.str(), HasSubstr(usage)) << usage;
    EXPECT_THAT(out_.str(), HasSubstr("Example: dsr " + command[0])) << usage;
  }
}

}  // namespace
}  // namespace dsr::client

namespace dsr::client {
namespace {

TEST_F(CliTest, StatusSaysWhenPersonalDataWasPurged) {
  MockConnection& next = Fresh();
  dsr::v1::GetRequestResponse read;
  *read.mutable_request() = Filed().request();
  read.mutable_request()->clear_subject_identifiers();
  read.mutable_request()->mutable_purge_time()->set_seconds(1798761600);  // 2027-01-01
  EXPECT_CALL(next, GetRequest(_)).WillOnce(Return(read));
  ASSERT_EQ(Run({"status", "requests/abc123", "--token", "dsr_receipt_x"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("destroyed 2027-01-01"));
}

TEST_F(CliTest, TlsFilesAreReadIntoTheConnection) {
  const std::string ca = dir_.Sub("ca.pem");
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\nfake\n";
  EXPECT_CALL(*mock_raw_, ListHoldings(_)).WillOnce(Return(dsr::v1::ListHoldingsResponse()));
  ASSERT_EQ(Run({"--tls-ca", ca, "holdings"}), 0) << err_.str();
  EXPECT_TRUE(seen_.tls);
  EXPECT_THAT(seen_.tls_root_certs, HasSubstr("fake"));
  EXPECT_EQ(Run({"--tls-ca", dir_.Sub("missing.pem"), "holdings"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("cannot read"));
  EXPECT_EQ(Run({"--tls-cert", ca, "holdings"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--tls-cert and --tls-key go together"));
}

}  // namespace
}  // namespace dsr::client

namespace dsr::client {
namespace {

TEST_F(CliTest, StatusShowsEveryPageOfTasks) {
  MockConnection& next = Fresh();
  dsr::v1::GetRequestResponse first;
  *first.mutable_request() = Filed().request();
  *first.add_tasks() = Filed().tasks(0);
  first.set_next_page_token("page-2");
  dsr::v1::GetRequestResponse second;
  *second.mutable_request() = Filed().request();
  *second.add_tasks() = Filed().tasks(1);
  EXPECT_CALL(next, GetRequest(_))
      .WillOnce(Invoke([&](const dsr::v1::GetRequestRequest& r) {
        EXPECT_TRUE(r.page_token().empty());
        return first;
      }))
      .WillOnce(Invoke([&](const dsr::v1::GetRequestRequest& r) {
        EXPECT_EQ(r.page_token(), "page-2");
        return second;
      }));
  ASSERT_EQ(Run({"status", "requests/abc123", "--token", "dsr_receipt_x"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("tasks: 2"));
  EXPECT_THAT(out_.str(), HasSubstr("actors/beta/holdings/model"));
}

dsr::v1::Backup MakeBackup(uint32_t id, uint64_t size) {
  dsr::v1::Backup backup;
  backup.set_name("backups/" + std::to_string(id));
  backup.set_backup_id(id);
  backup.mutable_create_time()->set_seconds(1767225600 + 3600 * id);  // 2026-01-01
  backup.set_size_bytes(size);
  backup.set_file_count(10 + id);
  return backup;
}

TEST_F(CliTest, BackupCreateSendsTheRequestIdAndPrintsTheBackup) {
  dsr::v1::CreateBackupRequest sent;
  EXPECT_CALL(*mock_raw_, CreateBackup(_))
      .WillOnce(Invoke([&](const dsr::v1::CreateBackupRequest& r) {
        sent = r;
        return MakeBackup(3, 5 << 20);
      }));
  ASSERT_EQ(Run({"--token", "admin", "admin", "backup", "create", "--request-id", "nightly-1"}), 0)
      << err_.str();
  EXPECT_EQ(sent.request_id(), "nightly-1");
  EXPECT_EQ(out_.str(), "Backup 3 taken 2026-01-01 03:00 UTC: 13 files, 5.0 MiB\n");

  MockConnection& next = Fresh();
  EXPECT_CALL(next, CreateBackup(_))
      .WillOnce(Return(absl::FailedPreconditionError(
          "backups are off: this broker was started without a backup directory")));
  EXPECT_EQ(Run({"admin", "backup", "create"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("backups are off"));
}

TEST_F(CliTest, BackupListShowsEveryPageAsATableOrJson) {
  dsr::v1::ListBackupsResponse first, second;
  *first.add_backups() = MakeBackup(1, 512);
  first.set_next_page_token("page-2");
  *second.add_backups() = MakeBackup(2, 3 * 1024 + 512);
  std::vector<std::string> tokens;
  EXPECT_CALL(*mock_raw_, ListBackups(_))
      .Times(2)
      .WillRepeatedly(Invoke([&](const dsr::v1::ListBackupsRequest& r) {
        tokens.push_back(r.page_token());
        return r.page_token().empty() ? first : second;
      }));
  ASSERT_EQ(Run({"admin", "backup", "list"}), 0) << err_.str();
  EXPECT_EQ(tokens, (std::vector<std::string>{"", "page-2"}));
  EXPECT_EQ(out_.str(),
            "ID  TAKEN                 FILES  SIZE\n"
            "1   2026-01-01 01:00 UTC  11     512 B\n"
            "2   2026-01-01 02:00 UTC  12     3.5 KiB\n");

  MockConnection& next = Fresh();
  EXPECT_CALL(next, ListBackups(_)).WillOnce(Return(second));
  ASSERT_EQ(Run({"--json", "admin", "backup", "list"}), 0);
  EXPECT_THAT(out_.str(), HasSubstr("\"name\": \"backups/2\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"sizeBytes\": \"3584\""));
}

TEST_F(CliTest, BackupVerifyTakesANumberOrANameAndExitsOneWhenDamaged) {
  std::vector<std::string> names;
  EXPECT_CALL(*mock_raw_, VerifyBackup(_))
      .WillOnce(Invoke([&](const dsr::v1::VerifyBackupRequest& r) {
        names.push_back(r.name());
        dsr::v1::VerifyBackupResponse response;
        *response.mutable_backup() = MakeBackup(3, 2 << 20);
        response.set_intact(true);
        return response;
      }));
  ASSERT_EQ(Run({"admin", "backup", "verify", "3"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "Backup 3 is intact: 13 files, 2.0 MiB\n");

  MockConnection& damaged = Fresh();
  EXPECT_CALL(damaged, VerifyBackup(_)).WillOnce(Invoke([&](const dsr::v1::VerifyBackupRequest& r) {
    names.push_back(r.name());
    dsr::v1::VerifyBackupResponse response;
    *response.mutable_backup() = MakeBackup(4, 1);
    response.set_intact(false);
    response.set_problem("File corrupted: shared_checksum/000012_s1_4096.sst");
    return response;
  }));
  EXPECT_EQ(Run({"admin", "backup", "verify", "backups/4"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("backup 4 is damaged"));
  EXPECT_THAT(err_.str(), HasSubstr("000012_s1_4096.sst"));
  EXPECT_EQ(names, (std::vector<std::string>{"backups/3", "backups/4"}));

  // A mistake is caught before any call.
  Fresh();
  EXPECT_EQ(Run({"admin", "backup", "verify", "latest"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("ID must be a backup's number"));
  EXPECT_EQ(Run({"admin", "backup", "verify"}), 2);
}

}  // namespace
}  // namespace dsr::client
