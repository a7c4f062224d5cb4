// Writes the seed corpus of the fuzz targets from real messages:
//
//   build/tests/fuzz/fuzz_corpus_generator tests/fuzz/corpus
//
// Each seed is DIR/<target>/seed-NN-<what>; files already there with other
// names (regression-* inputs, kept by hand) are left alone. The replay tests
// run a directory in name order and the harnesses keep their state between
// inputs, so the numbers order the story (fuzz_services: read, answer,
// extend, cancel).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "dsr/v1/admin_service.pb.h"
#include "dsr/v1/audit_service.pb.h"
#include "dsr/v1/inbox_service.pb.h"
#include "dsr/v1/registry_service.pb.h"
#include "dsr/v1/request_service.pb.h"
#include "dsr/v1/verification_service.pb.h"
#include "tests/fuzz/fuzz_services_input.h"

namespace dsr::fuzz {
namespace {

class Writer {
 public:
  explicit Writer(std::filesystem::path dir) : dir_(std::move(dir)) {}

  void Write(const std::string& target, const std::string& name, const std::string& bytes) {
    const std::filesystem::path sub = dir_ / target;
    std::filesystem::create_directories(sub);
    const std::filesystem::path path = sub / absl::StrCat("seed-", name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out.good()) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      ok_ = false;
    }
  }

  bool ok() const { return ok_; }

 private:
  std::filesystem::path dir_;
  bool ok_ = true;
};

void Identifiers(Writer& w) {
  using v1::SubjectIdentifier;
  auto seed = [&w](const std::string& name, SubjectIdentifier::Type type, const std::string& v) {
    w.Write("fuzz_identifiers", name, std::string(1, static_cast<char>(type)) + v);
  };
  seed("01-email", SubjectIdentifier::EMAIL, "  Alice.Smith@Example.COM ");
  seed("02-url", SubjectIdentifier::URL,
       "HTTP://User@WWW.Example.com:80/a/./b/../c/%7euser?q=%2f#Frag");
  seed("03-url-ipv6", SubjectIdentifier::URL, "https://[2001:DB8::1]:443");
  seed("04-phone-plus", SubjectIdentifier::PHONE, "+33 (0)6 12-34.56 78");
  seed("05-phone-00", SubjectIdentifier::PHONE, "0044 20 7946 0958");
  seed("06-username", SubjectIdentifier::USERNAME, " GitHub:OctoCat ");
  seed("07-name", SubjectIdentifier::NAME, " Ada \t  Lovelace ");
  seed("08-other", SubjectIdentifier::OTHER, "customer-id\t42");
  seed("09-unspecified", SubjectIdentifier::TYPE_UNSPECIFIED, "x");
  seed("10-bad-email", SubjectIdentifier::EMAIL, "alice@@example");
}

v1::SubmitRequestRequest Submit(v1::RequestType type, v1::Request::LineageScope scope) {
  v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(type);
  request.mutable_request()->set_lineage_scope(scope);
  return request;
}

void AddId(v1::SubmitRequestRequest* r, v1::SubjectIdentifier::Type type, const std::string& v) {
  v1::SubjectIdentifier* id = r->mutable_request()->add_subject_identifiers();
  id->set_type(type);
  id->set_value(v);
}

void RequestValidation(Writer& w) {
  using v1::Request;
  using v1::SubjectIdentifier;
  const std::string t = "fuzz_request_validation";
  {
    v1::SubmitRequestRequest r = Submit(v1::ERASURE, Request::DOWNSTREAM);
    AddId(&r, SubjectIdentifier::EMAIL, "Alice@Example.com");
    AddId(&r, SubjectIdentifier::URL, "https://Example.com/~alice/");
    r.mutable_request()->add_targets("actors/acme/holdings/web-crawl");
    w.Write(t, "01-erasure-downstream", r.SerializeAsString());
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::ACCESS, Request::TARGET_ONLY);
    AddId(&r, SubjectIdentifier::PHONE, "+44 20 7946 0958");
    r.mutable_request()->add_targets("actors/beta");
    w.Write(t, "02-access-actor-target-only", r.SerializeAsString());
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::PORTABILITY, Request::FULL_LINEAGE);
    AddId(&r, SubjectIdentifier::USERNAME, "github:alice");
    AddId(&r, SubjectIdentifier::NAME, "Alice  Smith");
    r.mutable_request()->add_targets("actors/gamma/holdings/outputs");
    r.mutable_request()->set_details("the exports of my chat history");
    w.Write(t, "03-portability-full-lineage", r.SerializeAsString());
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::OBJECTION, Request::LINEAGE_SCOPE_UNSPECIFIED);
    AddId(&r, SubjectIdentifier::OTHER, "account 1234");
    r.mutable_request()->add_targets("actors/beta/holdings/crawl-subset");
    r.mutable_request()->add_targets("actors/acme");
    r.set_request_id("retry-0001");
    w.Write(t, "04-objection-with-request-id", r.SerializeAsString());
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::RECTIFICATION, Request::TARGET_ONLY);
    AddId(&r, SubjectIdentifier::EMAIL, "bob@example.org");
    r.mutable_request()->add_targets("actors/beta/holdings/old-copy");
    w.Write(t, "05-retired-target-only", r.SerializeAsString());
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::RESTRICTION, Request::DOWNSTREAM);
    AddId(&r, SubjectIdentifier::EMAIL, "bob@example.org");
    r.mutable_request()->add_targets("actors/nobody/holdings/nothing");
    w.Write(t, "06-unknown-target", r.SerializeAsString());
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::ERASURE, Request::DOWNSTREAM);
    AddId(&r, SubjectIdentifier::PHONE, "06 12 34 56 78");
    r.mutable_request()->add_targets("actors/acme/holdings/web-crawl");
    w.Write(t, "07-bad-phone", r.SerializeAsString());
  }
}

void Services(Writer& w) {
  const std::string t = "fuzz_services";
  int n = 0;
  auto seed = [&](const std::string& what, ServiceMethod method, Credential credential,
                  const google::protobuf::Message& message) {
    ++n;
    w.Write(t, absl::StrCat(n < 10 ? "0" : "", n, "-", what),
            ServiceInputPrefix(method, credential) + message.SerializeAsString());
  };
  {
    v1::GetActorRequest r;
    r.set_name("actors/acme");
    seed("get-actor", kGetActor, kNone, r);
  }
  {
    v1::ListActorsRequest r;
    r.set_page_size(2);
    seed("list-actors", kListActors, kNone, r);
  }
  {
    v1::CreateActorRequest r;
    r.set_actor_id("delta");
    r.mutable_actor()->set_display_name("Delta Labs");
    r.mutable_actor()->add_roles(v1::Actor::MODEL_DEVELOPER);
    r.mutable_actor()->set_contact_email(" DPO@Delta.example ");
    r.set_request_id("create-delta");
    seed("create-actor", kCreateActor, kAdmin, r);
  }
  {
    v1::CreateHoldingRequest r;
    r.set_parent("actors/acme");
    r.set_holding_id("new-set");
    r.mutable_holding()->set_kind(v1::Holding::DATASET);
    r.mutable_holding()->set_title("A new set");
    r.mutable_holding()->set_legal_basis(v1::Holding::LEGITIMATE_INTERESTS);
    r.mutable_holding()->add_data_categories("contact details");
    r.mutable_holding()->add_external_ids("hf:new-set");
    seed("create-holding", kCreateHolding, kAcme, r);
  }
  {
    v1::GetHoldingRequest r;
    r.set_name("actors/acme/holdings/web-crawl");
    seed("get-holding", kGetHolding, kNone, r);
  }
  {
    v1::ListHoldingsRequest r;
    r.set_parent("actors/-");
    r.set_external_id("hf:web-crawl");
    r.set_page_size(1);
    seed("list-holdings-external-id", kListHoldings, kNone, r);
  }
  {
    v1::UpdateHoldingRequest r;
    r.mutable_holding()->set_name("actors/acme/holdings/web-crawl");
    r.mutable_holding()->set_title("Web crawl, 2026 edition");
    r.mutable_holding()->add_external_ids("doi:10.1234/crawl");
    r.mutable_update_mask()->add_paths("title");
    r.mutable_update_mask()->add_paths("external_ids");
    seed("update-holding", kUpdateHolding, kAcme, r);
  }
  {
    v1::GetLineageRequest r;
    r.set_holding("actors/acme/holdings/chat-model");
    r.set_direction(v1::BOTH);
    r.set_max_depth(3);
    seed("get-lineage", kGetLineage, kNone, r);
  }
  {
    v1::SubmitRequestRequest r = Submit(v1::RESTRICTION, v1::Request::DOWNSTREAM);
    AddId(&r, v1::SubjectIdentifier::EMAIL, "bob@example.org");
    r.mutable_request()->add_targets("actors/acme/holdings/chat-model");
    seed("submit-request", kSubmitRequest, kNone, r);
  }
  {
    v1::GetRequestRequest r;
    r.set_name("requests/@R1");
    seed("get-request-receipt", kGetRequest, kReceiptR1, r);
  }
  {
    v1::StreamInboxRequest r;
    seed("stream-inbox", kStreamInbox, kAcme, r);
  }
  {
    v1::CommitInboxRequest r;
    r.set_sequence(1);
    seed("commit-inbox", kCommitInbox, kAcme, r);
  }
  {
    v1::ListTasksRequest r;
    r.set_state(v1::Task::OPEN);
    r.set_page_size(1);
    seed("list-tasks", kListTasks, kAcme, r);
  }
  {
    v1::GetTaskRequest r;
    r.set_name("requests/@R1/tasks/1");
    seed("get-task", kGetTask, kAcme, r);
  }
  {
    v1::AcknowledgeTaskRequest r;
    r.set_name("requests/@R1/tasks/1");
    r.set_request_id("ack-1");
    seed("acknowledge-task", kAcknowledgeTask, kAcme, r);
  }
  {
    v1::CompleteTaskRequest r;
    r.set_name("requests/@R1/tasks/1");
    r.set_outcome(v1::EXCLUDED_FROM_TRAINING);
    r.set_explanation("removed from the next crawl");
    seed("complete-task-erasure", kCompleteTask, kAcme, r);
  }
  {
    v1::CompleteTaskRequest r;
    r.set_name("requests/@R2/tasks/1");
    r.set_outcome(v1::ACCESS_PROVIDED);
    v1::AccessReport* report = r.mutable_access_report();
    report->set_purposes("training language models");
    report->add_data_categories("forum posts");
    report->mutable_inline_copy()->set_data("{\"posts\": 3}");
    report->mutable_inline_copy()->set_media_type("application/json");
    seed("complete-task-access", kCompleteTask, kBeta, r);
  }
  {
    v1::GetAccessReportRequest r;
    r.set_name("requests/@R2");
    seed("get-access-report", kGetAccessReport, kReceiptR2, r);
  }
  {
    v1::RefuseTaskRequest r;
    r.set_name("requests/@R3/tasks/1");
    r.set_ground(v1::IDENTITY_NOT_VERIFIED);
    r.set_explanation("we could not match the username");
    seed("refuse-task", kRefuseTask, kGamma, r);
  }
  {
    v1::ExtendTaskRequest r;
    r.set_name("requests/@R1/tasks/2");
    r.set_months(1);
    r.set_reason("several model versions to check");
    seed("extend-task", kExtendTask, kAcme, r);
  }
  {
    // Declared by the admin: accepted at once, so R1 follows it.
    v1::CreateLinkRequest r;
    r.mutable_link()->set_child("actors/gamma/holdings/fine-tune");
    r.mutable_link()->set_parent("actors/acme/holdings/web-crawl");
    r.mutable_link()->set_relation(v1::Link::TRAINED_ON);
    seed("create-late-link", kCreateLink, kAdmin, r);
  }
  {
    v1::DeleteLinkRequest r;
    r.set_name("links/@L2");
    seed("delete-link", kDeleteLink, kBeta, r);
  }
  {
    v1::RetireHoldingRequest r;
    r.set_name("actors/acme/holdings/new-set");
    seed("retire-holding", kRetireHolding, kAdmin, r);
  }
  {
    // 40 days: every open task of the set-up requests is overdue.
    const uint32_t hours = 24 * 40 - 1;
    std::string bytes = ServiceInputPrefix(kAdvanceClock, kNone);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((hours >> (8 * i)) & 0xff));
    w.Write(t, absl::StrCat(++n, "-advance-clock-40-days"), bytes);
  }
  {
    v1::ListTasksRequest r;
    r.set_overdue(true);
    seed("list-overdue-tasks", kListTasks, kBeta, r);
  }
  {
    v1::CancelRequestRequest r;
    r.set_name("requests/@R1");
    r.set_request_id("withdraw-1");
    seed("cancel-request", kCancelRequest, kReceiptR1, r);
  }
  {
    v1::RotateActorTokenRequest r;
    r.set_name("actors/beta");
    seed("rotate-actor-token", kRotateActorToken, kAdmin, r);
  }
  {
    v1::ListAuditEventsRequest r;
    r.set_page_size(5);
    seed("list-audit-events", kListAuditEvents, kAdmin, r);
  }
  {
    v1::VerifyAuditLogRequest r;
    seed("verify-audit-log", kVerifyAuditLog, kAdmin, r);
  }
  {
    v1::CreateBackupRequest r;
    r.set_request_id("nightly-1");
    seed("create-backup", kCreateBackup, kAdmin, r);
  }
  {
    v1::ListBackupsRequest r;
    r.set_page_size(1);
    seed("list-backups", kListBackups, kAdmin, r);
  }
  {
    v1::VerifyBackupRequest r;
    r.set_name("backups/1");
    seed("verify-backup", kVerifyBackup, kAdmin, r);
  }
  {
    // Set-up leaves L3 (beta/crawl-subset from gamma/fine-tune) PROPOSED.
    v1::AcceptLinkRequest r;
    r.set_name("links/@L3");
    r.set_request_id("accept-l3");
    seed("accept-link", kAcceptLink, kBeta, r);
  }
  {
    v1::RejectLinkRequest r;
    r.set_name("links/@L3");
    seed("reject-link", kRejectLink, kBeta, r);
  }
  {
    v1::ListLinksRequest r;
    r.set_actor("actors/beta");
    r.set_state(v1::Link::PROPOSED);
    seed("list-links-proposed", kListLinks, kBeta, r);
  }

  {
    // The shapes: a request past the depth limit, one past the holdings
    // limit, pages of a long request and of a wide lineage, and an access
    // report listing more than a report may.
    v1::SubmitRequestRequest r = Submit(v1::ERASURE, v1::Request::DOWNSTREAM);
    AddId(&r, v1::SubjectIdentifier::EMAIL, "deep@example.org");
    r.mutable_request()->add_targets("actors/gamma/holdings/chain-top");
    seed("submit-too-deep", kSubmitRequest, kNone, r);
    r.mutable_request()->set_targets(0, "actors/gamma/holdings/hub");
    seed("submit-too-wide", kSubmitRequest, kNone, r);
  }
  {
    v1::GetRequestRequest r;
    r.set_name("requests/@R4");
    r.set_page_size(50);
    seed("get-request-long-paths", kGetRequest, kAdmin, r);
  }
  {
    v1::GetLineageRequest r;
    r.set_holding("actors/gamma/holdings/hub");
    r.set_page_size(100);
    seed("get-lineage-star-page", kGetLineage, kNone, r);
  }
  {
    v1::ListTasksRequest r;
    r.set_overdue(true);
    seed("list-tasks-long-paths", kListTasks, kGamma, r);
  }
  {
    v1::CompleteTaskRequest r;
    r.set_name("requests/@R3/tasks/3");
    r.set_outcome(v1::ACCESS_PROVIDED);
    for (int i = 0; i < 1001; ++i) {
      r.mutable_access_report()->add_data_categories("c" + std::to_string(i));
    }
    r.mutable_access_report()->set_copy_url("https://acme.example/export");
    seed("complete-task-report-flood", kCompleteTask, kAcme, r);
  }
  {
    v1::CompleteTaskRequest r;
    r.set_name("requests/@R3/tasks/2");
    r.set_outcome(v1::ACCESS_PROVIDED);
    r.mutable_access_report()->mutable_inline_copy()->set_data(std::string(512 << 10, 'x'));
    r.mutable_access_report()->mutable_inline_copy()->set_media_type("text/plain");
    seed("complete-task-large-copy", kCompleteTask, kAcme, r);
  }
  {
    v1::GetAccessReportRequest r;
    r.set_name("requests/@R3");
    r.set_page_size(1);
    seed("get-access-report-page", kGetAccessReport, kAdmin, r);
  }
  {
    // A proposal the parent's owner never decides: nothing is forwarded.
    v1::CreateLinkRequest r;
    r.mutable_link()->set_child("actors/gamma/holdings/fine-tune");
    r.mutable_link()->set_parent("actors/beta/holdings/old-copy");
    r.mutable_link()->set_relation(v1::Link::TRAINED_ON);
    seed("propose-link", kCreateLink, kGamma, r);
  }
  // Identity verification (appended: earlier seeds keep their numbers).
  {
    v1::CreateVerificationRequest r;
    r.mutable_identifier()->set_type(v1::SubjectIdentifier::EMAIL);
    r.mutable_identifier()->set_value("Someone@Example.org");
    r.set_language_code("fr");
    seed("create-verification-email", kCreateVerification, kNone, r);
    r.mutable_identifier()->set_type(v1::SubjectIdentifier::URL);
    r.mutable_identifier()->set_value("https://blog.example/posts/");
    seed("create-verification-url", kCreateVerification, kNone, r);
    r.mutable_identifier()->set_type(v1::SubjectIdentifier::USERNAME);
    r.mutable_identifier()->set_value("github:someone");
    seed("create-verification-username", kCreateVerification, kNone, r);
  }
  {
    v1::ConfirmVerificationRequest r;
    r.set_name("verifications/nosuchverification");
    r.set_code("12345678");
    seed("confirm-verification-missing", kConfirmVerification, kNone, r);
    r.mutable_identifier()->set_type(v1::SubjectIdentifier::URL);
    r.mutable_identifier()->set_value("https://blog.example/");
    r.set_code("dsr_challenge_abc");
    seed("confirm-verification-challenge", kConfirmVerification, kNone, r);
  }
  seed("list-attestation-keys", kListAttestationKeys, kNone, v1::ListAttestationKeysRequest());
  {
    v1::SubmitRequestRequest r = Submit(v1::ACCESS, v1::Request::DOWNSTREAM);
    AddId(&r, v1::SubjectIdentifier::EMAIL, "verified@example.org");
    r.mutable_request()->add_targets("actors/acme/holdings/web-crawl");
    r.add_verification_tokens("dsr_verified_not-a-token");
    seed("submit-with-tokens", kSubmitRequest, kNone, r);
  }
  {
    v1::ListRequestsRequest r;
    r.set_verification_token("dsr_verified_not-a-token");
    r.set_page_size(5);
    seed("list-requests", kListRequests, kNone, r);
  }
  {
    v1::RequestIdentityRequest r;
    r.set_name("requests/@R1/tasks/1");
    r.set_message("Please prove your address again.");
    seed("request-identity", kRequestIdentity, kAcme, r);
  }
  {
    v1::ConfirmIdentityRequest r;
    r.set_name("requests/@R1");
    r.add_verification_tokens("dsr_verified_not-a-token");
    seed("confirm-identity", kConfirmIdentity, kReceiptR1, r);
  }
}

}  // namespace
}  // namespace dsr::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  dsr::fuzz::Writer writer{std::filesystem::path(argv[1])};
  dsr::fuzz::Identifiers(writer);
  dsr::fuzz::RequestValidation(writer);
  dsr::fuzz::Services(writer);
  return writer.ok() ? 0 : 1;
}
