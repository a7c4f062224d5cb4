// Fuzz target: every method of RegistryService, RequestService, InboxService,
// AuditService and AdminService, called over gRPC on an in-process broker
// (BrokerServer on 127.0.0.1, port 0, a throwaway data directory and backup
// directory, a clock only the fuzzer moves).
//
// Input: the first byte picks the method (its low 5 bits; 31 means the next
// byte picks one of the methods from kFirstExtended on) and the credential
// (its high 3 bits, kCredentials); the other bytes are parsed as that
// method's request message (input that does not parse is skipped). One extra "method" moves the
// clock forward instead, so that deadlines, extensions and the overdue sweep are reached.
//
// Requests and links have server-made random names, which no input could
// guess; in every string field of the parsed message the placeholders @R1,
// @R2, @R3, @R4 stand for the ids of the requests made at set-up and @L1, @L2, @L3
// for those of the links (so `requests/@R1/tasks/2` names a real task).
//
// The broker is made once per process and never reset: each input acts on
// what the earlier ones left. Set-up makes actors acme, beta and gamma,
//   acme/web-crawl ──► acme/chat-model ──► gamma/fine-tune     (L1: the first link)
//   acme/web-crawl ──► beta/crawl-subset                        (L2)
//   acme/web-crawl ──► beta/old-copy (RETIRED)
//   beta/crawl-subset ··► gamma/fine-tune                       (L3: PROPOSED)
// (beta's links accepted by acme, gamma's first by acme), and requests R1 (ERASURE of
// acme/web-crawl, downstream), R2 (ACCESS of actors/beta, target only), R3 (PORTABILITY of
// gamma/fine-tune, full lineage).
//
// With DSR_FUZZ_VERBOSE set, each call's outcome is printed (to check what a
// corpus file does).
//
// Checks: no call ends with a code that means a broker fault (INTERNAL,
// UNKNOWN, DATA_LOSS, UNAVAILABLE) or any other code the API does not give
// for a bad request (DEADLINE_EXCEEDED, CANCELLED, UNIMPLEMENTED ...); inbox
// streams deliver gap-free, increasing sequence numbers; the audit chain
// verifies; every backup verifies intact.

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "broker/server/broker_server.h"
#include "dsr/v1/admin_service.grpc.pb.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/registry_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "dsr/v1/verification_service.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "grpcpp/grpcpp.h"
#include "tests/fuzz/fuzz_services_input.h"
#include "tests/fuzz/fuzz_support.h"

namespace dsr::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kAdminToken[] = "dsr_admin_fuzz-token";

// How long a unary call may take before the harness calls it a hang; an
// inbox stream is read for kStreamTime (it waits for live events after the
// backlog) and then ends with DEADLINE_EXCEEDED.
constexpr absl::Duration kCallDeadline = absl::Seconds(30);
constexpr absl::Duration kStreamTime = absl::Milliseconds(20);
// The clock moves at most this far in all (so dates stay in range).
constexpr absl::Duration kMaxClockAdvance = absl::Hours(24 * 365 * 5);

class Harness {
 public:
  Harness() : dir_("services") {
    google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 in inputs is logged otherwise
    const std::string token_file = dir_.Sub("admin_token");
    {
      FILE* f = std::fopen(token_file.c_str(), "w");
      if (f == nullptr) Fail("cannot write the admin token file");
      std::fprintf(f, "%s\n", kAdminToken);
      std::fclose(f);
      ::chmod(token_file.c_str(), 0600);
    }
    dsr::broker::BrokerServerOptions options = MakeServerOptions(dir_.path(), &clock_);
    options.admin_token_file = token_file;
    absl::StatusOr<std::unique_ptr<dsr::broker::BrokerServer>> server =
        dsr::broker::BrokerServer::Start(options);
    CheckOk(server.status(), "start the broker");
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    registry = dsr::v1::RegistryService::NewStub(channel_);
    requests = dsr::v1::RequestService::NewStub(channel_);
    inbox = dsr::v1::InboxService::NewStub(channel_);
    audit = dsr::v1::AuditService::NewStub(channel_);
    admin = dsr::v1::AdminService::NewStub(channel_);
    verify = dsr::v1::VerificationService::NewStub(channel_);
    tokens_[kAdmin] = kAdminToken;
    tokens_[kUnknownToken] = "dsr_actor_not-a-token-the-broker-made";
    SetUp();
  }

  // A context carrying `credential`, with a deadline.
  std::unique_ptr<grpc::ClientContext> Context(int credential,
                                               absl::Duration deadline = kCallDeadline) const {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!tokens_[credential].empty()) {
      context->AddMetadata("authorization", "Bearer " + tokens_[credential]);
    }
    context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return context;
  }

  // Replaces the placeholders in every string field of `message`.
  void Substitute(Message* message) const {
    const Reflection* reflection = message->GetReflection();
    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(*message, &fields);
    for (const FieldDescriptor* field : fields) {
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
          field->type() == FieldDescriptor::TYPE_STRING) {
        if (field->is_repeated()) {
          for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
            std::string value = reflection->GetRepeatedString(*message, field, i);
            if (Replace(&value)) reflection->SetRepeatedString(message, field, i, value);
          }
        } else {
          std::string value = reflection->GetString(*message, field);
          if (Replace(&value)) reflection->SetString(message, field, value);
        }
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (field->is_repeated()) {
          for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
            Substitute(reflection->MutableRepeatedMessage(message, field, i));
          }
        } else {
          Substitute(reflection->MutableMessage(message, field));
        }
      }
    }
  }

  // After a successful RotateActorToken, the harness's own actors keep
  // working with their new token.
  void Rotated(const std::string& name, const std::string& token) {
    for (int c : {kAcme, kBeta, kGamma}) {
      if (name == "actors/" + actor_ids_[c] && !token.empty()) tokens_[c] = token;
    }
  }

  void AdvanceClock(absl::Duration d) {
    if (advanced_ + d > kMaxClockAdvance) return;
    advanced_ += d;
    clock_.Advance(d);
  }

  std::unique_ptr<dsr::v1::RegistryService::Stub> registry;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests;
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox;
  std::unique_ptr<dsr::v1::AuditService::Stub> audit;
  std::unique_ptr<dsr::v1::AdminService::Stub> admin;
  std::unique_ptr<dsr::v1::VerificationService::Stub> verify;

 private:
  static void Check(const grpc::Status& status, absl::string_view what) {
    if (!status.ok()) {
      Fail(absl::StrCat("set-up: ", what, ": ", status.error_code(), " ", status.error_message()));
    }
  }

  void SetUp() {
    actor_ids_[kAcme] = "acme";
    actor_ids_[kBeta] = "beta";
    actor_ids_[kGamma] = "gamma";
    for (int c : {kAcme, kBeta, kGamma}) {
      dsr::v1::CreateActorRequest request;
      request.set_actor_id(actor_ids_[c]);
      request.mutable_actor()->set_display_name("Org " + actor_ids_[c]);
      request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
      request.mutable_actor()->set_contact_email("dpo@" + actor_ids_[c] + ".example");
      dsr::v1::CreateActorResponse response;
      Check(registry->CreateActor(Context(kAdmin).get(), request, &response), "actor");
      tokens_[c] = response.token();
    }
    AddHolding(kAcme, "web-crawl", dsr::v1::Holding::DATASET, "hf:web-crawl");
    AddHolding(kAcme, "chat-model", dsr::v1::Holding::MODEL, "");
    AddHolding(kBeta, "crawl-subset", dsr::v1::Holding::DATASET, "hf:crawl-subset");
    AddHolding(kBeta, "old-copy", dsr::v1::Holding::DATASET, "");
    AddHolding(kGamma, "fine-tune", dsr::v1::Holding::MODEL, "");
    links_.push_back(AddLink(kAcme, "acme/holdings/chat-model", "acme/holdings/web-crawl"));
    links_.push_back(AddLink(kBeta, "beta/holdings/crawl-subset", "acme/holdings/web-crawl"));
    AddLink(kBeta, "beta/holdings/old-copy", "acme/holdings/web-crawl");
    AddLink(kGamma, "gamma/holdings/fine-tune", "acme/holdings/chat-model");
    links_.push_back(
        AddLink(kGamma, "gamma/holdings/fine-tune", "beta/holdings/crawl-subset", false));
    dsr::v1::RetireHoldingRequest retire;
    retire.set_name("actors/beta/holdings/old-copy");
    dsr::v1::Holding retired;
    Check(registry->RetireHolding(Context(kBeta).get(), retire, &retired), "retire");

    AddHolding(kGamma, "chain-top", dsr::v1::Holding::DATASET, "");
    std::string above = "gamma/holdings/chain-top";
    for (int i = 0; i < 200; ++i) {
      AddHolding(kGamma, absl::StrCat("deep-", i), dsr::v1::Holding::DATASET, "");
      const std::string below = absl::StrCat("gamma/holdings/deep-", i);
      AddLink(kGamma, below, above);
      above = below;
    }
    AddHolding(kGamma, "hub", dsr::v1::Holding::DATASET, "");
    for (int i = 0; i < 300; ++i) {
      AddHolding(kGamma, absl::StrCat("leaf-", i), dsr::v1::Holding::DATASET, "");
      AddLink(kGamma, absl::StrCat("gamma/holdings/leaf-", i), "gamma/holdings/hub");
    }
    tokens_[kReceiptR1] =
        Submit(dsr::v1::ERASURE, "actors/acme/holdings/web-crawl", dsr::v1::Request::DOWNSTREAM);
    tokens_[kReceiptR2] = Submit(dsr::v1::ACCESS, "actors/beta", dsr::v1::Request::TARGET_ONLY);
    Submit(dsr::v1::PORTABILITY, "actors/gamma/holdings/fine-tune", dsr::v1::Request::FULL_LINEAGE);
    Submit(dsr::v1::ERASURE, "actors/gamma/holdings/deep-60", dsr::v1::Request::DOWNSTREAM);
  }

  void AddHolding(int owner, const std::string& id, dsr::v1::Holding::Kind kind,
                  const std::string& external_id) {
    dsr::v1::CreateHoldingRequest request;
    request.set_parent("actors/" + actor_ids_[owner]);
    request.set_holding_id(id);
    request.mutable_holding()->set_kind(kind);
    request.mutable_holding()->set_title("Holding " + id);
    request.mutable_holding()->set_purposes("research");
    if (!external_id.empty()) request.mutable_holding()->add_external_ids(external_id);
    dsr::v1::Holding holding;
    Check(registry->CreateHolding(Context(owner).get(), request, &holding), "holding");
  }

  // Declares a link with the child's owner's token; one across actors is
  // then accepted by the parent's owner, unless `accept` is false.
  std::string AddLink(int owner, const std::string& child, const std::string& parent,
                      bool accept = true) {
    dsr::v1::CreateLinkRequest request;
    request.mutable_link()->set_child("actors/" + child);
    request.mutable_link()->set_parent("actors/" + parent);
    request.mutable_link()->set_relation(dsr::v1::Link::DERIVED);
    dsr::v1::Link link;
    Check(registry->CreateLink(Context(owner).get(), request, &link), "link");
    if (accept && link.state() == dsr::v1::Link::PROPOSED) {
      int parent_owner = kAcme;
      for (int c : {kAcme, kBeta, kGamma}) {
        if (parent.rfind(actor_ids_[c] + "/", 0) == 0) parent_owner = c;
      }
      dsr::v1::AcceptLinkRequest accept_request;
      accept_request.set_name(link.name());
      Check(registry->AcceptLink(Context(parent_owner).get(), accept_request, &link), "accept");
    }
    return link.name().substr(link.name().find('/') + 1);
  }

  // Submits a request; returns its receipt and keeps its id.
  std::string Submit(dsr::v1::RequestType type, const std::string& target,
                     dsr::v1::Request::LineageScope scope) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(type);
    dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value("alice@example.com");
    request.mutable_request()->add_targets(target);
    request.mutable_request()->set_lineage_scope(scope);
    dsr::v1::SubmitRequestResponse response;
    Check(requests->SubmitRequest(Context(kNone).get(), request, &response), "submit");
    request_ids_.push_back(
        response.request().name().substr(response.request().name().find('/') + 1));
    return response.receipt_token();
  }

  bool Replace(std::string* value) const {
    if (value->find('@') == std::string::npos) return false;
    *value = absl::StrReplaceAll(*value, {{"@R1", request_ids_[0]},
                                          {"@R2", request_ids_[1]},
                                          {"@R3", request_ids_[2]},
                                          {"@R4", request_ids_[3]},
                                          {"@L1", links_[0]},
                                          {"@L2", links_[1]},
                                          {"@L3", links_[2]}});
    return true;
  }

  ScratchDir dir_;
  FuzzClock clock_;
  absl::Duration advanced_;
  std::unique_ptr<dsr::broker::BrokerServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string tokens_[kCredentials];
  std::string actor_ids_[kCredentials];
  std::vector<std::string> request_ids_;
  std::vector<std::string> links_;
};

Harness& GetHarness() {
  // Never destroyed: see ScratchDir.
  static Harness* harness = new Harness();
  return *harness;
}

// What a call ended with; `parsed` is false when the input was skipped.
struct Result {
  bool parsed = false;
  grpc::Status status;
  bool stream = false;
};

template <typename Request>
bool Parse(const Harness& h, absl::string_view bytes, Request* request) {
  if (!request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  h.Substitute(request);
  return true;
}

// One unary method: `call(harness, context, request, response)`.
template <typename Request, typename Response, typename Call>
Result Unary(Harness& h, absl::string_view bytes, int credential, Call call) {
  Result result;
  Request request;
  if (!Parse(h, bytes, &request)) return result;
  result.parsed = true;
  Response response;
  result.status = call(h, h.Context(credential).get(), request, &response);
  return result;
}

// A kMethods entry for a unary method that needs no extra care.
#define DSR_FUZZ_UNARY(stub, Rpc, Request, Response)                                           \
  {                                                                                            \
    k##Rpc, #Rpc, [](Harness& h, absl::string_view bytes, int credential) {                    \
      return Unary<Request, Response>(h, bytes, credential,                                    \
                                      [](Harness& h, grpc::ClientContext* c, const Request& r, \
                                         Response* out) { return h.stub->Rpc(c, r, out); });   \
    }                                                                                          \
  }

Result RotateActorToken(Harness& h, absl::string_view bytes, int credential) {
  Result result;
  dsr::v1::RotateActorTokenRequest request;
  if (!Parse(h, bytes, &request)) return result;
  result.parsed = true;
  dsr::v1::RotateActorTokenResponse response;
  result.status = h.registry->RotateActorToken(h.Context(credential).get(), request, &response);
  if (result.status.ok()) h.Rotated(request.name(), response.token());
  return result;
}

// Nothing tampers with the store here, so the audit chain is always intact.
Result VerifyAuditLog(Harness& h, absl::string_view bytes, int credential) {
  Result result;
  dsr::v1::VerifyAuditLogRequest request;
  if (!Parse(h, bytes, &request)) return result;
  result.parsed = true;
  dsr::v1::VerifyAuditLogResponse response;
  result.status = h.audit->VerifyAuditLog(h.Context(credential).get(), request, &response);
  if (result.status.ok() && !response.intact()) {
    Fail(absl::StrCat("VerifyAuditLog reports the chain broken at ",
                      response.first_broken_sequence(), " of ", response.event_count()));
  }
  return result;
}

// Nothing damages the backups here, so every one verifies intact.
Result VerifyBackup(Harness& h, absl::string_view bytes, int credential) {
  Result result;
  dsr::v1::VerifyBackupRequest request;
  if (!Parse(h, bytes, &request)) return result;
  result.parsed = true;
  dsr::v1::VerifyBackupResponse response;
  result.status = h.admin->VerifyBackup(h.Context(credential).get(), request, &response);
  if (result.status.ok() && !response.intact()) {
    Fail(absl::StrCat("VerifyBackup reports ", response.backup().name(),
                      " damaged: ", response.problem()));
  }
  return result;
}

Result StreamInbox(Harness& h, absl::string_view bytes, int credential) {
  Result result;
  dsr::v1::StreamInboxRequest request;
  if (!Parse(h, bytes, &request)) return result;
  result.parsed = true;
  result.stream = true;
  std::unique_ptr<grpc::ClientContext> context = h.Context(credential, kStreamTime);
  std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> reader =
      h.inbox->StreamInbox(context.get(), request);
  dsr::v1::InboxEvent event;
  uint64_t last = 0;
  while (reader->Read(&event)) {
    if (last == 0 && !request.from_committed_cursor() &&
        event.sequence() <= request.after_sequence()) {
      Fail("inbox stream sent an event at or before after_sequence");
    }
    if (last != 0 && event.sequence() != last + 1) Fail("inbox stream skipped or repeated");
    last = event.sequence();
  }
  result.status = reader->Finish();
  return result;
}

Result AdvanceClock(Harness& h, absl::string_view bytes, int) {
  uint32_t hours = 0;
  for (size_t i = 0; i < bytes.size() && i < 4; ++i) {
    hours |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  }
  // Up to about three months at a time.
  h.AdvanceClock(absl::Hours(1 + hours % (24 * 92)));
  Result result;
  result.parsed = true;
  return result;
}

struct Method {
  ServiceMethod id;
  const char* name;
  Result (*run)(Harness& h, absl::string_view bytes, int credential);
};

// In ServiceMethod order (checked at start).
const Method kMethods[] = {
    DSR_FUZZ_UNARY(registry, CreateActor, dsr::v1::CreateActorRequest,
                   dsr::v1::CreateActorResponse),
    DSR_FUZZ_UNARY(registry, GetActor, dsr::v1::GetActorRequest, dsr::v1::Actor),
    DSR_FUZZ_UNARY(registry, ListActors, dsr::v1::ListActorsRequest, dsr::v1::ListActorsResponse),
    {kRotateActorToken, "RotateActorToken", &RotateActorToken},
    DSR_FUZZ_UNARY(registry, CreateHolding, dsr::v1::CreateHoldingRequest, dsr::v1::Holding),
    DSR_FUZZ_UNARY(registry, GetHolding, dsr::v1::GetHoldingRequest, dsr::v1::Holding),
    DSR_FUZZ_UNARY(registry, ListHoldings, dsr::v1::ListHoldingsRequest,
                   dsr::v1::ListHoldingsResponse),
    DSR_FUZZ_UNARY(registry, UpdateHolding, dsr::v1::UpdateHoldingRequest, dsr::v1::Holding),
    DSR_FUZZ_UNARY(registry, RetireHolding, dsr::v1::RetireHoldingRequest, dsr::v1::Holding),
    DSR_FUZZ_UNARY(registry, CreateLink, dsr::v1::CreateLinkRequest, dsr::v1::Link),
    DSR_FUZZ_UNARY(registry, DeleteLink, dsr::v1::DeleteLinkRequest, google::protobuf::Empty),
    DSR_FUZZ_UNARY(registry, GetLineage, dsr::v1::GetLineageRequest, dsr::v1::GetLineageResponse),
    DSR_FUZZ_UNARY(requests, SubmitRequest, dsr::v1::SubmitRequestRequest,
                   dsr::v1::SubmitRequestResponse),
    DSR_FUZZ_UNARY(requests, GetRequest, dsr::v1::GetRequestRequest, dsr::v1::GetRequestResponse),
    DSR_FUZZ_UNARY(requests, CancelRequest, dsr::v1::CancelRequestRequest,
                   dsr::v1::GetRequestResponse),
    DSR_FUZZ_UNARY(requests, GetAccessReport, dsr::v1::GetAccessReportRequest,
                   dsr::v1::GetAccessReportResponse),
    {kStreamInbox, "StreamInbox", &StreamInbox},
    DSR_FUZZ_UNARY(inbox, CommitInbox, dsr::v1::CommitInboxRequest, dsr::v1::CommitInboxResponse),
    DSR_FUZZ_UNARY(inbox, ListTasks, dsr::v1::ListTasksRequest, dsr::v1::ListTasksResponse),
    DSR_FUZZ_UNARY(inbox, GetTask, dsr::v1::GetTaskRequest, dsr::v1::Task),
    DSR_FUZZ_UNARY(inbox, AcknowledgeTask, dsr::v1::AcknowledgeTaskRequest, dsr::v1::Task),
    DSR_FUZZ_UNARY(inbox, CompleteTask, dsr::v1::CompleteTaskRequest, dsr::v1::Task),
    DSR_FUZZ_UNARY(inbox, RefuseTask, dsr::v1::RefuseTaskRequest, dsr::v1::Task),
    DSR_FUZZ_UNARY(inbox, ExtendTask, dsr::v1::ExtendTaskRequest, dsr::v1::Task),
    DSR_FUZZ_UNARY(audit, ListAuditEvents, dsr::v1::ListAuditEventsRequest,
                   dsr::v1::ListAuditEventsResponse),
    {kVerifyAuditLog, "VerifyAuditLog", &VerifyAuditLog},
    {kAdvanceClock, "AdvanceClock", &AdvanceClock},
    DSR_FUZZ_UNARY(admin, CreateBackup, dsr::v1::CreateBackupRequest, dsr::v1::Backup),
    DSR_FUZZ_UNARY(admin, ListBackups, dsr::v1::ListBackupsRequest, dsr::v1::ListBackupsResponse),
    {kVerifyBackup, "VerifyBackup", &VerifyBackup},
    DSR_FUZZ_UNARY(registry, AcceptLink, dsr::v1::AcceptLinkRequest, dsr::v1::Link),
    DSR_FUZZ_UNARY(registry, RejectLink, dsr::v1::RejectLinkRequest, dsr::v1::Link),
    DSR_FUZZ_UNARY(registry, ListLinks, dsr::v1::ListLinksRequest, dsr::v1::ListLinksResponse),
    DSR_FUZZ_UNARY(verify, CreateVerification, dsr::v1::CreateVerificationRequest,
                   dsr::v1::Verification),
    DSR_FUZZ_UNARY(verify, ConfirmVerification, dsr::v1::ConfirmVerificationRequest,
                   dsr::v1::ConfirmVerificationResponse),
    DSR_FUZZ_UNARY(verify, ListAttestationKeys, dsr::v1::ListAttestationKeysRequest,
                   dsr::v1::ListAttestationKeysResponse),
    DSR_FUZZ_UNARY(requests, ListRequests, dsr::v1::ListRequestsRequest,
                   dsr::v1::ListRequestsResponse),
    DSR_FUZZ_UNARY(inbox, RequestIdentity, dsr::v1::RequestIdentityRequest, dsr::v1::Task),
    DSR_FUZZ_UNARY(requests, ConfirmIdentity, dsr::v1::ConfirmIdentityRequest,
                   dsr::v1::GetRequestResponse),
};
constexpr int kMethodCount = sizeof(kMethods) / sizeof(kMethods[0]);
static_assert(kMethodCount == kServiceMethods, "a method is missing from kMethods");

// Whether `code` is one the API gives for a request, however bad.
bool Expected(grpc::StatusCode code, bool stream) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::ABORTED:
      return true;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      // How an inbox stream ends when the harness stops reading it.
      return stream;
    default:
      return false;
  }
}

int TestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return -1;
  Harness& h = GetHarness();
  static const bool in_order = [] {
    for (int i = 0; i < kMethodCount; ++i) {
      if (kMethods[i].id != i) Fail(absl::StrCat("kMethods out of order at ", kMethods[i].name));
    }
    return true;
  }();
  (void)in_order;
  int index = data[0] & 31;
  size_t skip = 1;
  if (index >= kFirstExtended) {
    if (size < 2) return -1;
    index = kFirstExtended + data[1] % (kMethodCount - kFirstExtended);
    skip = 2;
  }
  const Method& method = kMethods[index];
  const int credential = data[0] >> 5;
  const absl::string_view bytes(reinterpret_cast<const char*>(data + skip), size - skip);
  const Result result = method.run(h, bytes, credential);
  static const bool verbose = std::getenv("DSR_FUZZ_VERBOSE") != nullptr;
  if (!result.parsed) {
    if (verbose) std::fprintf(stderr, "%s: does not parse\n", method.name);
    return -1;
  }
  if (verbose) {
    std::fprintf(stderr, "%s credential %d: %d %s\n", method.name, credential,
                 result.status.error_code(), result.status.error_message().c_str());
  }
  if (!Expected(result.status.error_code(), result.stream)) {
    Fail(absl::StrCat(method.name, " with credential ", credential, " ended with code ",
                      result.status.error_code(), ": ", result.status.error_message()));
  }
  return 0;
}

}  // namespace
}  // namespace dsr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return dsr::fuzz::TestOneInput(data, size);
}
