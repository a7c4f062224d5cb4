// Fuzz target: validation and submission of rights requests
// (Requests::Submit, broker/requests*.h), with the domain logic called
// directly (no gRPC).
//
// Input: a serialised dsr.v1.SubmitRequestRequest; bytes that do not parse
// are skipped. It is submitted anonymously (as a person would) against a
// small registry made once per process:
//
//   acme:  web-crawl (dataset) ──► chat-model (model)
//   beta:  web-crawl ──► crawl-subset, web-crawl ──► old-copy (RETIRED)
//   gamma: chat-model ──► fine-tune (model) ──► outputs (dataset)
//          crawl-subset ──► fine-tune  (a diamond)
//
// Every accepted request is stored, so later inputs see earlier requests
// (request_id replays, growing inboxes); the registry itself never changes.
//
// With DSR_FUZZ_VERBOSE set, each outcome is printed.
//
// Checks: the only refusals are INVALID_ARGUMENT, NOT_FOUND and
// FAILED_PRECONDITION, and they never repeat an identifier or the details;
// an accepted request has one OPEN task per reached ACTIVE holding (targets
// among them), normalised identifiers, a receipt, and reads back the same.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/names.h"
#include "broker/base/principal.h"
#include "broker/identity/identifiers.h"
#include "broker/requests/request_records.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/fuzz_support.h"

namespace dsr::fuzz {
namespace {

using dsr::broker::Principal;

struct Harness {
  Harness() : dir("request-validation"), domain(dir.Sub("db")) {
    google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 in inputs is logged otherwise
    AddActor("acme");
    AddActor("beta");
    AddActor("gamma");
    AddHolding("acme", "web-crawl", dsr::v1::Holding::DATASET);
    AddHolding("acme", "chat-model", dsr::v1::Holding::MODEL);
    AddHolding("beta", "crawl-subset", dsr::v1::Holding::DATASET);
    AddHolding("beta", "old-copy", dsr::v1::Holding::DATASET);
    AddHolding("gamma", "fine-tune", dsr::v1::Holding::MODEL);
    AddHolding("gamma", "outputs", dsr::v1::Holding::DATASET);
    Link("acme/chat-model", "acme/web-crawl", dsr::v1::Link::TRAINED_ON);
    Link("beta/crawl-subset", "acme/web-crawl", dsr::v1::Link::SUBSET);
    Link("beta/old-copy", "acme/web-crawl", dsr::v1::Link::COPY);
    Link("gamma/fine-tune", "acme/chat-model", dsr::v1::Link::FINE_TUNED_FROM);
    Link("gamma/fine-tune", "beta/crawl-subset", dsr::v1::Link::TRAINED_ON);
    Link("gamma/outputs", "gamma/fine-tune", dsr::v1::Link::GENERATED_BY);
    dsr::v1::RetireHoldingRequest retire;
    retire.set_name(HoldingName("beta/old-copy"));
    dsr::v1::Holding ignored;
    CheckOk(domain.registry->RetireHolding(Principal::Admin(), retire, &ignored), "retire");
    active.erase(HoldingName("beta/old-copy"));
  }

  static std::string HoldingName(const std::string& actor_slash_id) {
    const size_t slash = actor_slash_id.find('/');
    return dsr::broker::FormatHoldingName(actor_slash_id.substr(0, slash),
                                          actor_slash_id.substr(slash + 1));
  }

  void AddActor(const std::string& id) {
    dsr::v1::CreateActorRequest request;
    request.set_actor_id(id);
    request.mutable_actor()->set_display_name("Org " + id);
    request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
    request.mutable_actor()->set_contact_email("dpo@" + id + ".example");
    dsr::v1::CreateActorResponse response;
    CheckOk(domain.registry->CreateActor(Principal::Admin(), request, &response), "actor");
  }

  void AddHolding(const std::string& actor, const std::string& id, dsr::v1::Holding::Kind kind) {
    dsr::v1::CreateHoldingRequest request;
    request.set_parent("actors/" + actor);
    request.set_holding_id(id);
    request.mutable_holding()->set_kind(kind);
    request.mutable_holding()->set_title("Holding " + id);
    dsr::v1::Holding holding;
    CheckOk(domain.registry->CreateHolding(Principal::Admin(), request, &holding), "holding");
    active.insert(holding.name());
    by_actor[actor].insert(holding.name());
  }

  void Link(const std::string& child, const std::string& parent, dsr::v1::Link::Relation r) {
    dsr::v1::CreateLinkRequest request;
    request.mutable_link()->set_child(HoldingName(child));
    request.mutable_link()->set_parent(HoldingName(parent));
    request.mutable_link()->set_relation(r);
    dsr::v1::Link link;
    CheckOk(domain.registry->CreateLink(Principal::Admin(), request, &link), "link");
  }

  ScratchDir dir;
  Domain domain;
  std::set<std::string> active;                           // ACTIVE holding names
  std::map<std::string, std::set<std::string>> by_actor;  // actor id -> holding names
};

Harness& GetHarness() {
  // Never destroyed: see ScratchDir.
  static Harness* harness = new Harness();
  return *harness;
}

bool InMessageAlphabet(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view(" ._()[]:,;'-{}/").find(c) != absl::string_view::npos;
}

// Whether `message` repeats `secret`. Only values with a character that
// error messages never use are checked, so that a value like "targets" is
// not taken for an echo of the field name.
bool Echoes(absl::string_view message, absl::string_view secret) {
  secret = absl::StripAsciiWhitespace(secret);
  if (secret.size() < 3) return false;
  bool distinctive = false;
  for (char c : secret) distinctive = distinctive || !InMessageAlphabet(c);
  return distinctive && absl::StrContains(message, secret);
}

void CheckRefusal(const dsr::v1::SubmitRequestRequest& input, const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
      break;
    default:
      Fail(absl::StrCat("unexpected refusal: ", status.ToString()));
  }
  for (const dsr::v1::SubjectIdentifier& id : input.request().subject_identifiers()) {
    if (Echoes(status.message(), id.value())) Fail("a refusal repeats a subject identifier");
  }
  if (Echoes(status.message(), input.request().details())) Fail("a refusal repeats the details");
}

void CheckAccepted(Harness& h, const dsr::v1::SubmitRequestRequest& input,
                   const dsr::v1::SubmitRequestResponse& response) {
  const dsr::v1::Request& request = response.request();
  absl::StatusOr<std::string> id = dsr::broker::ParseRequestName(request.name(), "name");
  if (!id.ok()) Fail("accepted request has a malformed name");
  if (!absl::StartsWith(response.receipt_token(), "dsr_receipt_")) Fail("no receipt token");
  if (request.type() != input.request().type()) Fail("request type changed");
  if (request.subject_identifiers_size() != input.request().subject_identifiers_size()) {
    Fail("identifier count changed");
  }
  for (int i = 0; i < request.subject_identifiers_size(); ++i) {
    const dsr::v1::SubjectIdentifier& given = input.request().subject_identifiers(i);
    absl::StatusOr<std::string> normal =
        dsr::broker::NormalizeIdentifier(given.type(), given.value(), 512, "x");
    if (!normal.ok() || request.subject_identifiers(i).value() != *normal ||
        request.subject_identifiers(i).type() != given.type()) {
      Fail(absl::StrCat("identifier ", i, " is not stored in its normal form"));
    }
  }
  if (response.tasks().empty()) Fail("accepted request without tasks");
  if (request.task_counts().open() != response.tasks_size() || request.state() != request.OPEN) {
    Fail("a new request's tasks are not all OPEN");
  }
  std::set<std::string> reached;
  for (int i = 0; i < response.tasks_size(); ++i) {
    const dsr::v1::Task& task = response.tasks(i);
    if (task.name() != dsr::broker::TaskName(*id, i + 1)) Fail("task names not 1, 2, 3 ...");
    if (!h.active.count(task.holding())) Fail("a task for a holding that is not ACTIVE");
    if (!reached.insert(task.holding()).second) Fail("two tasks for one holding");
    if (task.path().empty() || task.path(task.path_size() - 1) != task.holding()) {
      Fail("task path does not end at its holding");
    }
    if (task.reason() == dsr::v1::Task::TARGET && !task.via().empty()) Fail("target with via");
    if (task.state() != dsr::v1::Task::OPEN) Fail("new task not OPEN");
    if (input.request().lineage_scope() == dsr::v1::Request::TARGET_ONLY &&
        task.reason() != dsr::v1::Task::TARGET) {
      Fail("TARGET_ONLY request reached beyond its targets");
    }
  }
  for (const std::string& target : input.request().targets()) {
    if (h.active.count(target) && !reached.count(target)) Fail("an active target has no task");
    absl::StatusOr<std::string> actor = dsr::broker::ParseActorName(target, "t");
    if (actor.ok()) {
      for (const std::string& holding : h.by_actor[*actor]) {
        if (h.active.count(holding) && !reached.count(holding)) {
          Fail("an active holding of a target actor has no task");
        }
      }
    }
  }

  // The receipt opens the request, which reads back as it was answered.
  dsr::v1::GetRequestRequest get;
  get.set_name(request.name());
  dsr::v1::GetRequestResponse read;
  CheckOk(h.domain.requests->Get(Principal::Receipt(*id), get, &read), "read back");
  if (read.request().SerializeAsString() != request.SerializeAsString() ||
      read.tasks_size() != response.tasks_size()) {
    Fail("the request reads back differently");
  }
}

int TestOneInput(const uint8_t* data, size_t size) {
  Harness& h = GetHarness();
  static const bool verbose = std::getenv("DSR_FUZZ_VERBOSE") != nullptr;
  dsr::v1::SubmitRequestRequest input;
  if (!input.ParseFromArray(data, static_cast<int>(size))) {
    if (verbose) std::fprintf(stderr, "does not parse\n");
    return -1;
  }
  dsr::v1::SubmitRequestResponse response;
  const absl::Status status = h.domain.requests->Submit(Principal::Anonymous(), input, &response);
  if (verbose) {
    std::fprintf(stderr, "%s, %d tasks\n", status.ToString().c_str(), response.tasks_size());
  }
  if (status.ok()) {
    CheckAccepted(h, input, response);
  } else {
    CheckRefusal(input, status);
  }
  return 0;
}

}  // namespace
}  // namespace dsr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return dsr::fuzz::TestOneInput(data, size);
}
