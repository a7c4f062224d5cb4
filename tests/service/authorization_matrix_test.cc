// Who may call what (SPEC §5), over a real gRPC connection: every RPC of
// every service, called by every kind of caller, on an object of A's (or of
// request R), one of B's (or of request R2) and a missing one. Each cell
// asserts the exact status code. Besides the codes:
// - a foreign private object (a request, a task) is NOT_FOUND with exactly
//   the message of a missing one;
// - nothing private of one party reaches another: R's identifiers and
//   details, and A's task made from them, never appear in a reply or error
//   that B or R2's holder gets; the same for R2 and A or R's holder; no error
//   message carries them at all.

#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dsr/v1/admin_service.grpc.pb.h"
#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "dsr/v1/verification_service.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/empty.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

enum class Method {
  kCreateActor,
  kGetActor,
  kListActors,
  kRotateActorToken,
  kCreateHolding,
  kGetHolding,
  kListHoldings,
  kUpdateHolding,
  kRetireHolding,
  kCreateLink,
  kDeleteLink,
  kAcceptLink,
  kRejectLink,
  kListLinks,
  kGetLineage,
  kSubmitRequest,
  kGetRequest,
  kCancelRequest,
  kGetAccessReport,
  kListRequests,
  kConfirmIdentity,
  kStreamInbox,
  kCommitInbox,
  kListTasks,
  kGetTask,
  kAcknowledgeTask,
  kCompleteTask,
  kRefuseTask,
  kExtendTask,
  kRequestIdentity,
  kListAuditEvents,
  kVerifyAuditLog,
  kCreateBackup,
  kListBackups,
  kVerifyBackup,
  kCreateVerification,
  kConfirmVerification,
  kListAttestationKeys,
};

struct MethodInfo {
  Method method;
  const char* service;
  const char* name;
};

constexpr MethodInfo kMethods[] = {
    {Method::kCreateActor, "dsr.v1.RegistryService", "CreateActor"},
    {Method::kGetActor, "dsr.v1.RegistryService", "GetActor"},
    {Method::kListActors, "dsr.v1.RegistryService", "ListActors"},
    {Method::kRotateActorToken, "dsr.v1.RegistryService", "RotateActorToken"},
    {Method::kCreateHolding, "dsr.v1.RegistryService", "CreateHolding"},
    {Method::kGetHolding, "dsr.v1.RegistryService", "GetHolding"},
    {Method::kListHoldings, "dsr.v1.RegistryService", "ListHoldings"},
    {Method::kUpdateHolding, "dsr.v1.RegistryService", "UpdateHolding"},
    {Method::kRetireHolding, "dsr.v1.RegistryService", "RetireHolding"},
    {Method::kCreateLink, "dsr.v1.RegistryService", "CreateLink"},
    {Method::kDeleteLink, "dsr.v1.RegistryService", "DeleteLink"},
    {Method::kAcceptLink, "dsr.v1.RegistryService", "AcceptLink"},
    {Method::kRejectLink, "dsr.v1.RegistryService", "RejectLink"},
    {Method::kListLinks, "dsr.v1.RegistryService", "ListLinks"},
    {Method::kGetLineage, "dsr.v1.RegistryService", "GetLineage"},
    {Method::kSubmitRequest, "dsr.v1.RequestService", "SubmitRequest"},
    {Method::kGetRequest, "dsr.v1.RequestService", "GetRequest"},
    {Method::kCancelRequest, "dsr.v1.RequestService", "CancelRequest"},
    {Method::kGetAccessReport, "dsr.v1.RequestService", "GetAccessReport"},
    {Method::kListRequests, "dsr.v1.RequestService", "ListRequests"},
    {Method::kConfirmIdentity, "dsr.v1.RequestService", "ConfirmIdentity"},
    {Method::kStreamInbox, "dsr.v1.InboxService", "StreamInbox"},
    {Method::kCommitInbox, "dsr.v1.InboxService", "CommitInbox"},
    {Method::kListTasks, "dsr.v1.InboxService", "ListTasks"},
    {Method::kGetTask, "dsr.v1.InboxService", "GetTask"},
    {Method::kAcknowledgeTask, "dsr.v1.InboxService", "AcknowledgeTask"},
    {Method::kCompleteTask, "dsr.v1.InboxService", "CompleteTask"},
    {Method::kRefuseTask, "dsr.v1.InboxService", "RefuseTask"},
    {Method::kExtendTask, "dsr.v1.InboxService", "ExtendTask"},
    {Method::kRequestIdentity, "dsr.v1.InboxService", "RequestIdentity"},
    {Method::kListAuditEvents, "dsr.v1.AuditService", "ListAuditEvents"},
    {Method::kVerifyAuditLog, "dsr.v1.AuditService", "VerifyAuditLog"},
    {Method::kCreateBackup, "dsr.v1.AdminService", "CreateBackup"},
    {Method::kListBackups, "dsr.v1.AdminService", "ListBackups"},
    {Method::kVerifyBackup, "dsr.v1.AdminService", "VerifyBackup"},
    {Method::kCreateVerification, "dsr.v1.VerificationService", "CreateVerification"},
    {Method::kConfirmVerification, "dsr.v1.VerificationService", "ConfirmVerification"},
    {Method::kListAttestationKeys, "dsr.v1.VerificationService", "ListAttestationKeys"},
};

std::string MethodName(Method method) {
  for (const MethodInfo& info : kMethods) {
    if (info.method == method) return info.name;
  }
  return "?";
}

// The columns of the table, in this order.
enum class Caller { kAnonymous, kReceiptR, kReceiptR2, kActorA, kActorB, kAdmin, kUnknownToken };
constexpr int kCallers = 7;

const char* CallerName(Caller caller) {
  switch (caller) {
    case Caller::kAnonymous:
      return "anonymous";
    case Caller::kReceiptR:
      return "R's receipt holder";
    case Caller::kReceiptR2:
      return "R2's receipt holder";
    case Caller::kActorA:
      return "actor A";
    case Caller::kActorB:
      return "actor B";
    case Caller::kAdmin:
      return "admin";
    case Caller::kUnknownToken:
      return "unknown token";
  }
  return "?";
}

// What the call names. kOwn is A's (actor, holding, link whose child is A's,
// task) or R; kForeign is B's or R2; kMissing is well-formed and absent.
// kNone: the method names no object of another party.
enum class Object { kNone, kOwn, kForeign, kMissing };

const char* ObjectName(Object object) {
  switch (object) {
    case Object::kNone:
      return "-";
    case Object::kOwn:
      return "A's/R's";
    case Object::kForeign:
      return "B's/R2's";
    case Object::kMissing:
      return "missing";
  }
  return "?";
}

constexpr StatusCode kOk = StatusCode::OK;
constexpr StatusCode kUA = StatusCode::UNAUTHENTICATED;
constexpr StatusCode kPD = StatusCode::PERMISSION_DENIED;
constexpr StatusCode kNF = StatusCode::NOT_FOUND;
constexpr StatusCode kFP = StatusCode::FAILED_PRECONDITION;

struct Row {
  Method method;
  Object object;
  std::array<StatusCode, kCallers> expected;
};

using M = Method;
using O = Object;

// Missing holdings and links are named under A (actors/alpha/...), so that
// A (and the admin) get NOT_FOUND and B, whom the name shows not to be the
// owner, PERMISSION_DENIED: the register is public, only tasks and requests
// are hidden.
const Row kMatrix[] = {
    // clang-format off
    //                                         anon rcpt-R rcpt-R2 A    B    admin unknown
    {M::kCreateActor,      O::kNone,          {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kGetActor,         O::kOwn,           {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetActor,         O::kForeign,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetActor,         O::kMissing,       {kNF, kNF, kNF, kNF, kNF, kNF, kUA}},
    {M::kListActors,       O::kNone,          {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kRotateActorToken, O::kOwn,           {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kRotateActorToken, O::kForeign,       {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kRotateActorToken, O::kMissing,       {kUA, kPD, kPD, kPD, kPD, kNF, kUA}},
    // The object is the parent actor.
    {M::kCreateHolding,    O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kCreateHolding,    O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kCreateHolding,    O::kMissing,       {kUA, kPD, kPD, kPD, kPD, kNF, kUA}},
    {M::kGetHolding,       O::kOwn,           {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetHolding,       O::kForeign,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetHolding,       O::kMissing,       {kNF, kNF, kNF, kNF, kNF, kNF, kUA}},
    // The object is the parent actor; a missing one has no holdings.
    {M::kListHoldings,     O::kOwn,           {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kListHoldings,     O::kForeign,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kListHoldings,     O::kMissing,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kUpdateHolding,    O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kUpdateHolding,    O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kUpdateHolding,    O::kMissing,       {kUA, kPD, kPD, kNF, kPD, kNF, kUA}},
    {M::kRetireHolding,    O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kRetireHolding,    O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kRetireHolding,    O::kMissing,       {kUA, kPD, kPD, kNF, kPD, kNF, kUA}},
    // The object is the child holding.
    {M::kCreateLink,       O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kCreateLink,       O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kCreateLink,       O::kMissing,       {kUA, kPD, kPD, kNF, kPD, kNF, kUA}},
    // A link's name does not show its child's owner: a missing link is
    // NOT_FOUND for every actor. A receipt holder may delete no link at all.
    {M::kDeleteLink,       O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kDeleteLink,       O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kDeleteLink,       O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kNF, kUA}},
    // The object is a proposal whose parent holding is A's (kOwn) or B's
    // (kForeign), made by the other; only the parent's owner decides.
    {M::kAcceptLink,       O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kAcceptLink,       O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kAcceptLink,       O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kNF, kUA}},
    {M::kRejectLink,       O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kRejectLink,       O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kRejectLink,       O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kNF, kUA}},
    // The object is the actor whose links are listed: proposals are its own
    // business (accepted links are public through GetLineage).
    {M::kListLinks,        O::kOwn,           {kUA, kPD, kPD, kOk, kPD, kOk, kUA}},
    {M::kListLinks,        O::kForeign,       {kUA, kPD, kPD, kPD, kOk, kOk, kUA}},
    {M::kListLinks,        O::kMissing,       {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kGetLineage,       O::kOwn,           {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetLineage,       O::kForeign,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetLineage,       O::kMissing,       {kNF, kNF, kNF, kNF, kNF, kNF, kUA}},

    {M::kSubmitRequest,    O::kNone,          {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kGetRequest,       O::kOwn,           {kUA, kOk, kNF, kPD, kPD, kOk, kUA}},
    {M::kGetRequest,       O::kForeign,       {kUA, kNF, kOk, kPD, kPD, kOk, kUA}},
    {M::kGetRequest,       O::kMissing,       {kUA, kNF, kNF, kPD, kPD, kNF, kUA}},
    {M::kCancelRequest,    O::kOwn,           {kUA, kOk, kNF, kPD, kPD, kOk, kUA}},
    {M::kCancelRequest,    O::kForeign,       {kUA, kNF, kOk, kPD, kPD, kOk, kUA}},
    {M::kCancelRequest,    O::kMissing,       {kUA, kNF, kNF, kPD, kPD, kNF, kUA}},
    {M::kGetAccessReport,  O::kOwn,           {kUA, kOk, kNF, kPD, kPD, kOk, kUA}},
    {M::kGetAccessReport,  O::kForeign,       {kUA, kNF, kOk, kPD, kPD, kOk, kUA}},
    {M::kGetAccessReport,  O::kMissing,       {kUA, kNF, kNF, kPD, kPD, kNF, kUA}},
    // The credential is the verification token in the request: kOwn is a
    // fresh one, kMissing one the broker never made.
    {M::kListRequests,     O::kOwn,           {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kListRequests,     O::kMissing,       {kFP, kFP, kFP, kFP, kFP, kFP, kUA}},
    // As CancelRequest; a caller who may open it is then refused (no holder
    // waits, and the token is not one the broker made).
    {M::kConfirmIdentity,  O::kOwn,           {kUA, kFP, kNF, kPD, kPD, kFP, kUA}},
    {M::kConfirmIdentity,  O::kForeign,       {kUA, kNF, kFP, kPD, kPD, kFP, kUA}},
    {M::kConfirmIdentity,  O::kMissing,       {kUA, kNF, kNF, kPD, kPD, kNF, kUA}},

    // The inbox, cursor and task list are the caller's own.
    {M::kStreamInbox,      O::kNone,          {kUA, kPD, kPD, kOk, kOk, kPD, kUA}},
    {M::kCommitInbox,      O::kNone,          {kUA, kPD, kPD, kOk, kOk, kPD, kUA}},
    {M::kListTasks,        O::kNone,          {kUA, kPD, kPD, kOk, kOk, kPD, kUA}},
    // kOwn is R's task (routed to A), kForeign R2's (routed to B).
    {M::kGetTask,          O::kOwn,           {kUA, kPD, kPD, kOk, kNF, kPD, kUA}},
    {M::kGetTask,          O::kForeign,       {kUA, kPD, kPD, kNF, kOk, kPD, kUA}},
    {M::kGetTask,          O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kPD, kUA}},
    {M::kAcknowledgeTask,  O::kOwn,           {kUA, kPD, kPD, kOk, kNF, kPD, kUA}},
    {M::kAcknowledgeTask,  O::kForeign,       {kUA, kPD, kPD, kNF, kOk, kPD, kUA}},
    {M::kAcknowledgeTask,  O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kPD, kUA}},
    {M::kCompleteTask,     O::kOwn,           {kUA, kPD, kPD, kOk, kNF, kPD, kUA}},
    {M::kCompleteTask,     O::kForeign,       {kUA, kPD, kPD, kNF, kOk, kPD, kUA}},
    {M::kCompleteTask,     O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kPD, kUA}},
    {M::kRefuseTask,       O::kOwn,           {kUA, kPD, kPD, kOk, kNF, kPD, kUA}},
    {M::kRefuseTask,       O::kForeign,       {kUA, kPD, kPD, kNF, kOk, kPD, kUA}},
    {M::kRefuseTask,       O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kPD, kUA}},
    {M::kExtendTask,       O::kOwn,           {kUA, kPD, kPD, kOk, kNF, kPD, kUA}},
    {M::kExtendTask,       O::kForeign,       {kUA, kPD, kPD, kNF, kOk, kPD, kUA}},
    {M::kExtendTask,       O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kPD, kUA}},
    {M::kRequestIdentity,  O::kOwn,           {kUA, kPD, kPD, kOk, kNF, kPD, kUA}},
    {M::kRequestIdentity,  O::kForeign,       {kUA, kPD, kPD, kNF, kOk, kPD, kUA}},
    {M::kRequestIdentity,  O::kMissing,       {kUA, kPD, kPD, kNF, kNF, kPD, kUA}},

    {M::kListAuditEvents,  O::kNone,          {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kVerifyAuditLog,   O::kNone,          {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},

    {M::kCreateBackup,     O::kNone,          {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kListBackups,      O::kNone,          {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    // kOwn is the backup taken at set-up.
    {M::kVerifyBackup,     O::kOwn,           {kUA, kPD, kPD, kPD, kPD, kOk, kUA}},
    {M::kVerifyBackup,     O::kMissing,       {kUA, kPD, kPD, kPD, kPD, kNF, kUA}},

    // Open to anyone: proving control of an identifier needs its code, not a
    // credential. kOwn is a verification made for the cell, confirmed with
    // its code.
    {M::kCreateVerification,  O::kNone,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kConfirmVerification, O::kOwn,        {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    {M::kConfirmVerification, O::kMissing,    {kNF, kNF, kNF, kNF, kNF, kNF, kUA}},
    {M::kListAttestationKeys, O::kNone,       {kOk, kOk, kOk, kOk, kOk, kOk, kUA}},
    // clang-format on
};

// Private to each side: R's identifiers and details (and so A's task), and
// R2's (and B's task). Lowercase, so that normalisation keeps them whole.
constexpr char kAlphaSecret[] = "zq-alpha-private";
constexpr char kBravoSecret[] = "zq-bravo-private";

// Has the form of an actor token; no actor has it.
constexpr char kUnknownToken[] = "dsr_actor_bm90LWEtdG9rZW4tdGhhdC10aGUtYnJva2VyLW1hZGU";
constexpr char kMissingRequest[] = "requests/aaaaaaaaaaaaaaaaaaaaaaaaaaa";
// The backup the set-up takes.
constexpr char kBackup[] = "backups/1";

// What one call got back: its status, and every message received, as text.
struct Reply {
  grpc::Status status;
  std::string text;
};

Reply ReplyOf(grpc::Status status, const google::protobuf::Message& response) {
  return Reply{std::move(status), response.DebugString()};
}

class AuthorizationMatrixTest : public BrokerFixture {
 protected:
  AuthorizationMatrixTest()
      : BrokerFixture([this](broker::BrokerServerOptions& options) {
          options.backup_dir = dir_.Sub("backups");
        }) {}

  // Request R, routed to A's holding alone, and R2, routed to B's alone:
  // their names, receipts, and their single tasks.
  struct Scene {
    std::string request, receipt, task;
    std::string request2, receipt2, task2;
  };

  void SetUp() override {
    requests_ = dsr::v1::RequestService::NewStub(channel_);
    inbox_ = dsr::v1::InboxService::NewStub(channel_);
    audit_ = dsr::v1::AuditService::NewStub(channel_);
    admin_ = dsr::v1::AdminService::NewStub(channel_);
    verify_ = dsr::v1::VerificationService::NewStub(channel_);
    dsr::v1::Backup backup;
    ASSERT_TRUE(admin_->CreateBackup(AdminContext().get(), {}, &backup).ok());
    ASSERT_EQ(backup.name(), kBackup);
    alpha_token_ = CreateActor("alpha");
    bravo_token_ = CreateActor("bravo");
    alpha_data_ = CreateHolding(alpha_token_, "alpha", "data");
    bravo_data_ = CreateHolding(bravo_token_, "bravo", "data");
    // The parent of the links the cells make. No request reaches it, so a
    // new link forwards nothing (late links, SPEC §3).
    upstream_ = CreateHolding(alpha_token_, "alpha", "upstream");
    bravo_upstream_ = CreateHolding(bravo_token_, "bravo", "upstream");
    base_ = NewScene();
  }

  static dsr::v1::SubmitRequestRequest AccessRequest(const std::string& target,
                                                     const std::string& secret) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ACCESS);
    request.mutable_request()->set_lineage_scope(dsr::v1::Request::TARGET_ONLY);
    request.mutable_request()->add_targets(target);
    auto* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value(secret + "@example.org");
    request.mutable_request()->set_details("grounds: " + secret);
    return request;
  }

  // Submits `request` anonymously; it must reach one holding.
  void Submit(const dsr::v1::SubmitRequestRequest& request, std::string* name, std::string* receipt,
              std::string* task) {
    dsr::v1::SubmitRequestResponse response;
    grpc::Status status = requests_->SubmitRequest(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.tasks_size(), 1);
    *name = response.request().name();
    *receipt = response.receipt_token();
    *task = response.tasks(0).name();
  }

  Scene NewScene() {
    Scene scene;
    Submit(AccessRequest(alpha_data_, kAlphaSecret), &scene.request, &scene.receipt, &scene.task);
    Submit(AccessRequest(bravo_data_, kBravoSecret), &scene.request2, &scene.receipt2,
           &scene.task2);
    return scene;
  }

  // Cells whose success would use up R, R2 or their tasks get a scene of
  // their own; the others share one.
  Scene SceneFor(Method method) {
    switch (method) {
      case Method::kCancelRequest:
      case Method::kAcknowledgeTask:
      case Method::kCompleteTask:
      case Method::kRefuseTask:
      case Method::kExtendTask:
      case Method::kRequestIdentity:
        return NewScene();
      default:
        return base_;
    }
  }

  std::string Token(Caller caller, const Scene& scene) const {
    switch (caller) {
      case Caller::kAnonymous:
        return "";
      case Caller::kReceiptR:
        return scene.receipt;
      case Caller::kReceiptR2:
        return scene.receipt2;
      case Caller::kActorA:
        return alpha_token_;
      case Caller::kActorB:
        return bravo_token_;
      case Caller::kAdmin:
        return kAdminToken;
      case Caller::kUnknownToken:
        return kUnknownToken;
    }
    return "";
  }

  // The secrets that `caller` must never see.
  static std::vector<std::string> SecretsHiddenFrom(Caller caller) {
    switch (caller) {
      case Caller::kReceiptR:
      case Caller::kActorA:
        return {kBravoSecret};
      case Caller::kReceiptR2:
      case Caller::kActorB:
        return {kAlphaSecret};
      case Caller::kAdmin:
        return {};
      case Caller::kAnonymous:
      case Caller::kUnknownToken:
        break;
    }
    return {kAlphaSecret, kBravoSecret};
  }

  std::string UniqueId(absl::string_view prefix) { return absl::StrCat(prefix, "-", ++unique_); }

  static std::string ActorOf(Object object) {
    switch (object) {
      case Object::kOwn:
        return "actors/alpha";
      case Object::kForeign:
        return "actors/bravo";
      default:
        return "actors/nobody-here";
    }
  }

  std::string HoldingOf(Object object) const {
    switch (object) {
      case Object::kOwn:
        return alpha_data_;
      case Object::kForeign:
        return bravo_data_;
      default:
        return "actors/alpha/holdings/no-such-holding";
    }
  }

  // A holding made for this cell alone, for calls that change it for good.
  std::string FreshHoldingOf(Object object) {
    switch (object) {
      case Object::kOwn:
        return CreateHolding(alpha_token_, "alpha", UniqueId("fresh"));
      case Object::kForeign:
        return CreateHolding(bravo_token_, "bravo", UniqueId("fresh"));
      default:
        return HoldingOf(object);
    }
  }

  // A link made for this cell alone, from a fresh child to upstream_.
  std::string FreshLinkOf(Object object) {
    if (object != Object::kOwn && object != Object::kForeign) return "links/no-such-link";
    const std::string& owner_token = object == Object::kOwn ? alpha_token_ : bravo_token_;
    dsr::v1::Link link;
    grpc::Status status = CreateLink(owner_token, FreshHoldingOf(object), upstream_, &link);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return link.name();
  }

  // A link proposed for this cell alone: from a fresh holding of the other
  // actor to A's upstream_ (kOwn) or B's (kForeign). No request reaches
  // either, so accepting forwards nothing.
  std::string FreshProposalOf(Object object) {
    if (object != Object::kOwn && object != Object::kForeign) return "links/no-such-link";
    const bool own = object == Object::kOwn;
    dsr::v1::CreateLinkRequest request;
    request.mutable_link()->set_child(FreshHoldingOf(own ? Object::kForeign : Object::kOwn));
    request.mutable_link()->set_parent(own ? upstream_ : bravo_upstream_);
    request.mutable_link()->set_relation(dsr::v1::Link::DERIVED);
    dsr::v1::Link link;
    grpc::Status status =
        registry_->CreateLink(Context(own ? bravo_token_ : alpha_token_).get(), request, &link);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(link.state(), dsr::v1::Link::PROPOSED);
    return link.name();
  }

  static std::string RequestOf(Object object, const Scene& scene) {
    switch (object) {
      case Object::kOwn:
        return scene.request;
      case Object::kForeign:
        return scene.request2;
      default:
        return kMissingRequest;
    }
  }

  static std::string TaskOf(Object object, const Scene& scene) {
    switch (object) {
      case Object::kOwn:
        return scene.task;
      case Object::kForeign:
        return scene.task2;
      default:
        return absl::StrCat(kMissingRequest, "/tasks/1");
    }
  }

  // A verification token of an address made for the cell.
  std::string FreshVerificationToken() {
    dsr::v1::CreateVerificationRequest start;
    start.mutable_identifier()->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    start.mutable_identifier()->set_value(UniqueId("lookup") + "@example.org");
    dsr::v1::Verification started;
    const size_t index = mail_->sent().size();
    EXPECT_TRUE(verify_->CreateVerification(Context().get(), start, &started).ok());
    dsr::v1::ConfirmVerificationRequest confirm;
    confirm.set_name(started.name());
    confirm.set_code(mail_->CodeIn(index));
    dsr::v1::ConfirmVerificationResponse confirmed;
    EXPECT_TRUE(verify_->ConfirmVerification(Context().get(), confirm, &confirmed).ok());
    return confirmed.verification_token();
  }

  // Calls `method` with `token` on `object`. Needed objects that the call
  // would use up are made here, for this call alone.
  Reply Call(Method method, Object object, const std::string& token, const Scene& scene) {
    auto context = Context(token);
    switch (method) {
      case Method::kCreateActor: {
        dsr::v1::CreateActorRequest request;
        request.set_actor_id(UniqueId("newcomer"));
        request.mutable_actor()->set_display_name("Newcomer");
        request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_REUSER);
        request.mutable_actor()->set_contact_email("dpo@newcomer.example");
        dsr::v1::CreateActorResponse response;
        return ReplyOf(registry_->CreateActor(context.get(), request, &response), response);
      }
      case Method::kGetActor: {
        dsr::v1::GetActorRequest request;
        request.set_name(ActorOf(object));
        dsr::v1::Actor response;
        return ReplyOf(registry_->GetActor(context.get(), request, &response), response);
      }
      case Method::kListActors: {
        dsr::v1::ListActorsResponse response;
        return ReplyOf(registry_->ListActors(context.get(), {}, &response), response);
      }
      case Method::kRotateActorToken: {
        dsr::v1::RotateActorTokenRequest request;
        request.set_name(ActorOf(object));
        dsr::v1::RotateActorTokenResponse response;
        grpc::Status status = registry_->RotateActorToken(context.get(), request, &response);
        // The old token is dead: the later cells use the new one.
        if (status.ok() && object == Object::kOwn) alpha_token_ = response.token();
        if (status.ok() && object == Object::kForeign) bravo_token_ = response.token();
        return ReplyOf(status, response);
      }
      case Method::kCreateHolding: {
        dsr::v1::CreateHoldingRequest request;
        request.set_parent(ActorOf(object));
        request.set_holding_id(UniqueId("made"));
        request.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
        request.mutable_holding()->set_title("Made by a cell");
        dsr::v1::Holding response;
        return ReplyOf(registry_->CreateHolding(context.get(), request, &response), response);
      }
      case Method::kGetHolding: {
        dsr::v1::GetHoldingRequest request;
        request.set_name(HoldingOf(object));
        dsr::v1::Holding response;
        return ReplyOf(registry_->GetHolding(context.get(), request, &response), response);
      }
      case Method::kListHoldings: {
        dsr::v1::ListHoldingsRequest request;
        request.set_parent(ActorOf(object));
        request.set_page_size(1000);
        dsr::v1::ListHoldingsResponse response;
        return ReplyOf(registry_->ListHoldings(context.get(), request, &response), response);
      }
      case Method::kUpdateHolding: {
        dsr::v1::UpdateHoldingRequest request;
        request.mutable_holding()->set_name(HoldingOf(object));
        request.mutable_holding()->set_title("Retitled");
        request.mutable_update_mask()->add_paths("title");
        dsr::v1::Holding response;
        return ReplyOf(registry_->UpdateHolding(context.get(), request, &response), response);
      }
      case Method::kRetireHolding: {
        dsr::v1::RetireHoldingRequest request;
        request.set_name(FreshHoldingOf(object));
        dsr::v1::Holding response;
        return ReplyOf(registry_->RetireHolding(context.get(), request, &response), response);
      }
      case Method::kCreateLink: {
        dsr::v1::CreateLinkRequest request;
        request.mutable_link()->set_child(FreshHoldingOf(object));
        request.mutable_link()->set_parent(upstream_);
        request.mutable_link()->set_relation(dsr::v1::Link::DERIVED);
        dsr::v1::Link response;
        return ReplyOf(registry_->CreateLink(context.get(), request, &response), response);
      }
      case Method::kDeleteLink: {
        dsr::v1::DeleteLinkRequest request;
        request.set_name(FreshLinkOf(object));
        google::protobuf::Empty response;
        return ReplyOf(registry_->DeleteLink(context.get(), request, &response), response);
      }
      case Method::kAcceptLink: {
        dsr::v1::AcceptLinkRequest request;
        request.set_name(FreshProposalOf(object));
        dsr::v1::Link response;
        return ReplyOf(registry_->AcceptLink(context.get(), request, &response), response);
      }
      case Method::kRejectLink: {
        dsr::v1::RejectLinkRequest request;
        request.set_name(FreshProposalOf(object));
        dsr::v1::Link response;
        return ReplyOf(registry_->RejectLink(context.get(), request, &response), response);
      }
      case Method::kListLinks: {
        dsr::v1::ListLinksRequest request;
        request.set_actor(ActorOf(object));
        dsr::v1::ListLinksResponse response;
        return ReplyOf(registry_->ListLinks(context.get(), request, &response), response);
      }
      case Method::kGetLineage: {
        dsr::v1::GetLineageRequest request;
        request.set_holding(HoldingOf(object));
        request.set_direction(dsr::v1::BOTH);
        dsr::v1::GetLineageResponse response;
        return ReplyOf(registry_->GetLineage(context.get(), request, &response), response);
      }
      case Method::kSubmitRequest: {
        dsr::v1::SubmitRequestResponse response;
        return ReplyOf(requests_->SubmitRequest(
                           context.get(), AccessRequest(alpha_data_, "someone-else"), &response),
                       response);
      }
      case Method::kGetRequest: {
        dsr::v1::GetRequestRequest request;
        request.set_name(RequestOf(object, scene));
        dsr::v1::GetRequestResponse response;
        return ReplyOf(requests_->GetRequest(context.get(), request, &response), response);
      }
      case Method::kCancelRequest: {
        dsr::v1::CancelRequestRequest request;
        request.set_name(RequestOf(object, scene));
        dsr::v1::GetRequestResponse response;
        return ReplyOf(requests_->CancelRequest(context.get(), request, &response), response);
      }
      case Method::kGetAccessReport: {
        dsr::v1::GetAccessReportRequest request;
        request.set_name(RequestOf(object, scene));
        dsr::v1::GetAccessReportResponse response;
        return ReplyOf(requests_->GetAccessReport(context.get(), request, &response), response);
      }
      case Method::kStreamInbox:
        return StreamBacklog(token);
      case Method::kCommitInbox: {
        // Sequence 0 moves no cursor: the cell changes nothing.
        dsr::v1::CommitInboxResponse response;
        return ReplyOf(inbox_->CommitInbox(context.get(), {}, &response), response);
      }
      case Method::kListTasks: {
        dsr::v1::ListTasksRequest request;
        request.set_page_size(1000);
        dsr::v1::ListTasksResponse response;
        return ReplyOf(inbox_->ListTasks(context.get(), request, &response), response);
      }
      case Method::kGetTask: {
        dsr::v1::GetTaskRequest request;
        request.set_name(TaskOf(object, scene));
        dsr::v1::Task response;
        return ReplyOf(inbox_->GetTask(context.get(), request, &response), response);
      }
      case Method::kAcknowledgeTask: {
        dsr::v1::AcknowledgeTaskRequest request;
        request.set_name(TaskOf(object, scene));
        dsr::v1::Task response;
        return ReplyOf(inbox_->AcknowledgeTask(context.get(), request, &response), response);
      }
      case Method::kCompleteTask: {
        dsr::v1::CompleteTaskRequest request;
        request.set_name(TaskOf(object, scene));
        request.set_outcome(dsr::v1::NO_DATA_FOUND);
        request.set_explanation("Nothing about this person is held.");
        dsr::v1::Task response;
        return ReplyOf(inbox_->CompleteTask(context.get(), request, &response), response);
      }
      case Method::kRefuseTask: {
        dsr::v1::RefuseTaskRequest request;
        request.set_name(TaskOf(object, scene));
        request.set_ground(dsr::v1::IDENTITY_NOT_VERIFIED);
        request.set_explanation("The identity could not be verified.");
        dsr::v1::Task response;
        return ReplyOf(inbox_->RefuseTask(context.get(), request, &response), response);
      }
      case Method::kExtendTask: {
        dsr::v1::ExtendTaskRequest request;
        request.set_name(TaskOf(object, scene));
        request.set_months(1);
        request.set_reason("The archive is large.");
        dsr::v1::Task response;
        return ReplyOf(inbox_->ExtendTask(context.get(), request, &response), response);
      }
      case Method::kListAuditEvents: {
        dsr::v1::ListAuditEventsResponse response;
        return ReplyOf(audit_->ListAuditEvents(context.get(), {}, &response), response);
      }
      case Method::kVerifyAuditLog: {
        dsr::v1::VerifyAuditLogResponse response;
        return ReplyOf(audit_->VerifyAuditLog(context.get(), {}, &response), response);
      }
      case Method::kCreateBackup: {
        dsr::v1::Backup response;
        return ReplyOf(admin_->CreateBackup(context.get(), {}, &response), response);
      }
      case Method::kListBackups: {
        dsr::v1::ListBackupsResponse response;
        return ReplyOf(admin_->ListBackups(context.get(), {}, &response), response);
      }
      case Method::kVerifyBackup: {
        dsr::v1::VerifyBackupRequest request;
        request.set_name(object == Object::kOwn ? kBackup : "backups/999");
        dsr::v1::VerifyBackupResponse response;
        return ReplyOf(admin_->VerifyBackup(context.get(), request, &response), response);
      }
      case Method::kConfirmIdentity: {
        dsr::v1::ConfirmIdentityRequest request;
        request.set_name(RequestOf(object, scene));
        request.add_verification_tokens("dsr_verified_never-made");
        dsr::v1::GetRequestResponse response;
        return ReplyOf(requests_->ConfirmIdentity(context.get(), request, &response), response);
      }
      case Method::kRequestIdentity: {
        dsr::v1::RequestIdentityRequest request;
        request.set_name(TaskOf(object, scene));
        request.set_message("Please prove your address again.");
        dsr::v1::Task response;
        return ReplyOf(inbox_->RequestIdentity(context.get(), request, &response), response);
      }
      case Method::kListRequests: {
        dsr::v1::ListRequestsRequest request;
        request.set_verification_token("dsr_verified_never-made");
        if (object == Object::kOwn) request.set_verification_token(FreshVerificationToken());
        dsr::v1::ListRequestsResponse response;
        return ReplyOf(requests_->ListRequests(context.get(), request, &response), response);
      }
      case Method::kCreateVerification: {
        dsr::v1::CreateVerificationRequest request;
        request.mutable_identifier()->set_type(dsr::v1::SubjectIdentifier::EMAIL);
        request.mutable_identifier()->set_value("someone-else@example.org");
        dsr::v1::Verification response;
        return ReplyOf(verify_->CreateVerification(context.get(), request, &response), response);
      }
      case Method::kConfirmVerification: {
        dsr::v1::ConfirmVerificationRequest request;
        request.set_name("verifications/nosuchverification");
        request.set_code("12345678");
        if (object == Object::kOwn) {
          dsr::v1::CreateVerificationRequest start;
          start.mutable_identifier()->set_type(dsr::v1::SubjectIdentifier::EMAIL);
          start.mutable_identifier()->set_value(UniqueId("cell") + "@example.org");
          dsr::v1::Verification started;
          const size_t index = mail_->sent().size();
          EXPECT_TRUE(verify_->CreateVerification(Context().get(), start, &started).ok());
          request.set_name(started.name());
          request.set_code(mail_->CodeIn(index));
        }
        dsr::v1::ConfirmVerificationResponse response;
        return ReplyOf(verify_->ConfirmVerification(context.get(), request, &response), response);
      }
      case Method::kListAttestationKeys: {
        dsr::v1::ListAttestationKeysResponse response;
        return ReplyOf(verify_->ListAttestationKeys(context.get(), {}, &response), response);
      }
    }
    ADD_FAILURE() << "no call for this method";
    return Reply{};
  }

  // StreamInbox from the first event. A stream does not end by itself: it
  // counts as OK once it has delivered the whole backlog, whose end
  // CommitInbox with sequence 0 (which changes nothing) reports to a caller
  // with an inbox. Every actor here has events, so an open stream never
  // waits.
  Reply StreamBacklog(const std::string& token) {
    uint64_t last = 0;
    dsr::v1::CommitInboxResponse cursor;
    if (inbox_->CommitInbox(Context(token).get(), {}, &cursor).ok()) last = cursor.last_sequence();
    auto context = Context(token);
    auto stream = inbox_->StreamInbox(context.get(), {});
    Reply reply;
    dsr::v1::InboxEvent event;
    bool backlog_read = false;
    while (!backlog_read && stream->Read(&event)) {
      reply.text += event.DebugString();
      backlog_read = event.sequence() >= last;
    }
    if (!backlog_read) {
      reply.status = stream->Finish();
      return reply;
    }
    context->TryCancel();
    stream->Finish();
    reply.status = grpc::Status::OK;
    return reply;
  }

  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
  std::unique_ptr<dsr::v1::InboxService::Stub> inbox_;
  std::unique_ptr<dsr::v1::AuditService::Stub> audit_;
  std::unique_ptr<dsr::v1::AdminService::Stub> admin_;
  std::unique_ptr<dsr::v1::VerificationService::Stub> verify_;
  std::string alpha_token_, bravo_token_;
  std::string alpha_data_, bravo_data_, upstream_, bravo_upstream_;
  Scene base_;
  int unique_ = 0;
};

TEST_F(AuthorizationMatrixTest, TheTableCoversEveryMethodOfEveryService) {
  std::set<std::string> in_table;
  for (const Row& row : kMatrix) {
    for (const MethodInfo& info : kMethods) {
      if (info.method == row.method) in_table.insert(absl::StrCat(info.service, ".", info.name));
    }
  }
  std::set<std::string> served;
  for (const char* service :
       {"dsr.v1.RegistryService", "dsr.v1.RequestService", "dsr.v1.InboxService",
        "dsr.v1.AuditService", "dsr.v1.AdminService", "dsr.v1.VerificationService"}) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    ASSERT_NE(descriptor, nullptr) << service;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      served.insert(absl::StrCat(service, ".", descriptor->method(i)->name()));
    }
  }
  EXPECT_EQ(in_table, served);
}

TEST_F(AuthorizationMatrixTest, EveryMethodByEveryCallerOnEveryObject) {
  // NOT_FOUND messages by (method, caller): a foreign object must read as a
  // missing one.
  std::map<std::pair<Method, Caller>, std::vector<std::pair<Object, std::string>>> not_found;
  int cells = 0;
  for (const Row& row : kMatrix) {
    for (int column = 0; column < kCallers; ++column) {
      const Caller caller = static_cast<Caller>(column);
      SCOPED_TRACE(absl::StrCat(MethodName(row.method), " by ", CallerName(caller), " on ",
                                ObjectName(row.object), " object"));
      const Scene scene = SceneFor(row.method);
      const Reply reply = Call(row.method, row.object, Token(caller, scene), scene);
      ++cells;
      EXPECT_EQ(reply.status.error_code(), row.expected[column])
          << "message: " << reply.status.error_message();
      if (reply.status.error_code() == StatusCode::NOT_FOUND) {
        not_found[{row.method, caller}].emplace_back(row.object, reply.status.error_message());
      }
      for (const std::string& secret : SecretsHiddenFrom(caller)) {
        EXPECT_FALSE(absl::StrContains(reply.text, secret)) << reply.text;
      }
      for (const char* secret : {kAlphaSecret, kBravoSecret}) {
        EXPECT_FALSE(absl::StrContains(reply.status.error_message(), secret))
            << reply.status.error_message();
      }
    }
  }
  EXPECT_EQ(cells, 609);

  for (const auto& [cell, messages] : not_found) {
    SCOPED_TRACE(absl::StrCat(MethodName(cell.first), " by ", CallerName(cell.second)));
    for (const auto& [object, message] : messages) {
      EXPECT_EQ(message, messages.front().second)
          << ObjectName(object) << " differs from " << ObjectName(messages.front().first);
    }
  }
}

// The matrix names one kind of missing task; here a foreign task is compared
// with every kind, including a task of a request that A also has a task in.
TEST_F(AuthorizationMatrixTest, ForeignTaskReadsAsEveryKindOfMissingTask) {
  dsr::v1::SubmitRequestRequest both = AccessRequest(alpha_data_, "shared-person");
  both.mutable_request()->add_targets(bravo_data_);
  dsr::v1::SubmitRequestResponse submitted;
  ASSERT_TRUE(requests_->SubmitRequest(Context().get(), both, &submitted).ok());
  ASSERT_EQ(submitted.tasks_size(), 2);
  std::string bravo_task_of_shared;
  for (const dsr::v1::Task& task : submitted.tasks()) {
    if (task.actor() == "actors/bravo") bravo_task_of_shared = task.name();
  }
  ASSERT_FALSE(bravo_task_of_shared.empty());

  const std::vector<std::string> hidden = {
      base_.task2,                                // B's task of R2
      bravo_task_of_shared,                       // B's task of a request A shares
      absl::StrCat(base_.request, "/tasks/2"),    // R has one task only
      absl::StrCat(kMissingRequest, "/tasks/1"),  // no such request
      absl::StrCat(base_.request, "/tasks/999"),  // far past the last
  };
  for (Method method : {Method::kGetTask, Method::kAcknowledgeTask, Method::kCompleteTask,
                        Method::kRefuseTask, Method::kExtendTask}) {
    std::string first_message;
    for (const std::string& name : hidden) {
      SCOPED_TRACE(absl::StrCat(MethodName(method), " on ", name));
      Scene scene = base_;
      scene.task2 = name;
      const Reply reply = Call(method, Object::kForeign, alpha_token_, scene);
      EXPECT_EQ(reply.status.error_code(), StatusCode::NOT_FOUND);
      if (first_message.empty()) first_message = reply.status.error_message();
      EXPECT_EQ(reply.status.error_message(), first_message);
    }
  }
  // Likewise a receipt holder: another request reads as a missing one.
  std::string first_message;
  for (const std::string& name :
       {base_.request2, std::string(submitted.request().name()), std::string(kMissingRequest)}) {
    SCOPED_TRACE(absl::StrCat("GetRequest on ", name));
    Scene scene = base_;
    scene.request2 = name;
    const Reply reply = Call(Method::kGetRequest, Object::kForeign, base_.receipt, scene);
    EXPECT_EQ(reply.status.error_code(), StatusCode::NOT_FOUND);
    if (first_message.empty()) first_message = reply.status.error_message();
    EXPECT_EQ(reply.status.error_message(), first_message);
  }
}

// The matrix's unknown token has an actor token's form; every other kind of
// bad credential is refused the same way, on methods of every audience, and
// its value is never echoed.
TEST_F(AuthorizationMatrixTest, EveryKindOfBadCredentialIsUnauthenticated) {
  const std::string old_alpha_token = alpha_token_;
  Call(Method::kRotateActorToken, Object::kOwn, kAdminToken, base_);
  ASSERT_NE(alpha_token_, old_alpha_token);

  // {what it is, the authorization metadata}.
  const std::vector<std::pair<std::string, std::string>> credentials = {
      {"a rotated-away actor token", "Bearer " + old_alpha_token},
      {"a token of the admin's form", "Bearer dsr_admin_not-the-admin-token"},
      {"a token of a receipt's form", "Bearer dsr_receipt_not-a-receipt"},
      {"a token of no form", "Bearer garbage-of-no-form"},
      {"a real receipt, altered", "Bearer " + base_.receipt + "x"},
      {"an actor token in another scheme", "Basic " + alpha_token_},
      {"the scheme alone", "Bearer"},
      {"a blank token", "Bearer    "},
  };
  for (const auto& [what, header] : credentials) {
    for (Method method : {Method::kListActors, Method::kGetRequest, Method::kListTasks,
                          Method::kListAuditEvents, Method::kStreamInbox}) {
      SCOPED_TRACE(absl::StrCat(MethodName(method), " with ", what));
      grpc::ClientContext context;
      context.AddMetadata("authorization", header);
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      grpc::Status status;
      switch (method) {
        case Method::kListActors: {
          dsr::v1::ListActorsResponse response;
          status = registry_->ListActors(&context, {}, &response);
          break;
        }
        case Method::kGetRequest: {
          dsr::v1::GetRequestRequest request;
          request.set_name(base_.request);
          dsr::v1::GetRequestResponse response;
          status = requests_->GetRequest(&context, request, &response);
          break;
        }
        case Method::kListTasks: {
          dsr::v1::ListTasksResponse response;
          status = inbox_->ListTasks(&context, {}, &response);
          break;
        }
        case Method::kListAuditEvents: {
          dsr::v1::ListAuditEventsResponse response;
          status = audit_->ListAuditEvents(&context, {}, &response);
          break;
        }
        default: {
          auto stream = inbox_->StreamInbox(&context, {});
          dsr::v1::InboxEvent event;
          EXPECT_FALSE(stream->Read(&event));
          status = stream->Finish();
          break;
        }
      }
      EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << status.error_message();
      const size_t space = header.find(' ');
      if (space != std::string::npos && header.size() > space + 4) {
        EXPECT_FALSE(absl::StrContains(status.error_message(), header.substr(space + 1)));
      }
    }
  }
}

}  // namespace
}  // namespace dsr::testing
