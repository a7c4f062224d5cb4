// `dsr` commands that prove who a person is (verify) and find their requests
// again (requests). Tokens and pending verifications are kept in private
// files (verified.h) for `dsr submit` and `dsr requests`.

#include <istream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/cli/cli.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/receipts.h"
#include "client/cli/verified.h"
#include "google/protobuf/util/time_util.h"

namespace dsr::client {
namespace {

using dsr::v1::SubjectIdentifier;

struct VerifyArgs {
  std::string value;
  std::string code;
  std::string language;
  bool served = false;
};

SubjectIdentifier Identifier(SubjectIdentifier::Type type, const std::string& value) {
  SubjectIdentifier id;
  id.set_type(type);
  id.set_value(value);
  return id;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// Confirms the pending verification of `id` with `code` (the challenge for a
// web site) and keeps the token.
absl::Status Confirm(Cli& cli, const SubjectIdentifier& id, const std::string& code) {
  VerificationStore store(cli.env().data_dir);
  absl::StatusOr<VerificationStore::Pending> pending = store.LoadPending(id);
  if (!pending.ok()) return pending.status();
  dsr::v1::ConfirmVerificationRequest request;
  request.set_name(pending->name);
  if (id.type() == SubjectIdentifier::URL) {
    request.set_code(pending->challenge);
    *request.mutable_identifier() = id;
  } else {
    request.set_code(std::string(absl::StripAsciiWhitespace(code)));
  }
  absl::StatusOr<dsr::v1::ConfirmVerificationResponse> confirmed =
      cli.connection().ConfirmVerification(request);
  if (!confirmed.ok()) return confirmed.status();
  absl::Status kept =
      store.SaveToken(id, confirmed->verification_token(), TimeOf(confirmed->expire_time()));
  cli.Print(*confirmed, [&] {
    cli.out() << "Verified until " << FormatTime(confirmed->expire_time())
              << ". Your next `dsr submit` naming it uses this proof (once).\n";
  });
  return kept;
}

absl::Status Verify(Cli& cli, SubjectIdentifier::Type type, const VerifyArgs& args) {
  const SubjectIdentifier id = Identifier(type, args.value);
  const bool url = type == SubjectIdentifier::URL;
  if (!args.code.empty() || (url && args.served)) return Confirm(cli, id, args.code);
  dsr::v1::CreateVerificationRequest request;
  *request.mutable_identifier() = id;
  request.set_language_code(args.language);
  absl::StatusOr<dsr::v1::Verification> started = cli.connection().CreateVerification(request);
  if (!started.ok()) return started.status();
  absl::Status kept =
      VerificationStore(cli.env().data_dir).SavePending(id, started->name(), started->challenge());
  if (!kept.ok()) return kept;
  const std::string word = type == SubjectIdentifier::EMAIL ? "email" : "phone";
  if (url) {
    cli.out() << "Serve exactly this text:\n  " << started->challenge() << "\nat:\n  "
              << started->challenge_url() << "\nbefore " << FormatTime(started->expire_time())
              << ", then run: dsr verify url " << args.value << " --served\n";
    return absl::OkStatus();
  }
  cli.out() << "A code was sent to " << started->identifier().value() << "; it expires "
            << FormatTime(started->expire_time()) << ".\n";
  if (!cli.env().in_is_terminal) {
    cli.out() << "Then run: dsr verify " << word << " " << args.value << " --code CODE\n";
    return absl::OkStatus();
  }
  cli.out() << "Code: " << std::flush;
  std::string code;
  if (!std::getline(*cli.env().in, code)) {
    return UsageError(
        absl::StrCat("no code read; run: dsr verify ", word, " ", args.value, " --code CODE"));
  }
  return Confirm(cli, id, code);
}

void AddVerify(CLI::App* parent, Cli& cli, const char* word, SubjectIdentifier::Type type,
               const char* what) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* command = parent->add_subcommand(word, what);
  command->add_option("value", args->value, "The identifier to prove")->required();
  if (type == SubjectIdentifier::URL) {
    command->add_flag("--served", args->served, "The challenge is served: confirm it");
  } else {
    command->add_option("--code", args->code, "The code received (else asked on the terminal)");
    command->add_option("--language", args->language, "Language of the message: en or fr");
  }
  command->callback(
      [&cli, args, type] { cli.Run([&cli, args, type] { return Verify(cli, type, *args); }); });
}

struct RequestsArgs {
  std::vector<std::string> emails, phones, urls;
};

absl::Status ListRequests(Cli& cli, const RequestsArgs& args) {
  std::vector<SubjectIdentifier> ids;
  for (const std::string& v : args.emails) ids.push_back(Identifier(SubjectIdentifier::EMAIL, v));
  for (const std::string& v : args.phones) ids.push_back(Identifier(SubjectIdentifier::PHONE, v));
  for (const std::string& v : args.urls) ids.push_back(Identifier(SubjectIdentifier::URL, v));
  if (ids.empty()) return UsageError("say which identifier: --email, --phone or --url");
  VerificationStore store(cli.env().data_dir);
  dsr::v1::ListRequestsRequest request;
  for (const SubjectIdentifier& id : ids) {
    std::optional<std::string> token = store.Token(id, absl::Now());
    if (!token.has_value()) {
      const std::string word = id.type() == SubjectIdentifier::EMAIL   ? "email"
                               : id.type() == SubjectIdentifier::PHONE ? "phone"
                                                                       : "url";
      return UsageError(absl::StrCat("prove it first: dsr verify ", word, " ", id.value()));
    }
    if (request.verification_token().empty()) {
      request.set_verification_token(*token);
    } else {
      request.add_other_verification_tokens(*token);
    }
  }
  dsr::v1::ListRequestsResponse all;
  do {
    absl::StatusOr<dsr::v1::ListRequestsResponse> page = cli.connection().ListRequests(request);
    if (!page.ok()) return page.status();
    for (auto& found : *page->mutable_requests()) *all.add_requests() = std::move(found);
    all.set_withheld(all.withheld() + page->withheld());
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  ReceiptStore receipts(cli.env().data_dir);
  absl::Status kept = absl::OkStatus();
  for (const dsr::v1::FoundRequest& found : all.requests()) {
    if (absl::Status saved = receipts.Save(found.request().name(), found.receipt_token());
        !saved.ok()) {
      kept = saved;
    }
  }
  cli.Print(all, [&] {
    std::vector<std::vector<std::string>> rows;
    for (const dsr::v1::FoundRequest& found : all.requests()) {
      const dsr::v1::Request& q = found.request();
      rows.push_back({q.name(), EnumWord(dsr::v1::RequestType_descriptor(), q.type()),
                      EnumWord(dsr::v1::Request::State_descriptor(), q.state()),
                      FormatTime(q.create_time())});
    }
    if (all.withheld() > 0) {
      cli.out() << all.withheld()
                << " more were filed with other identifiers verified too: prove them (dsr verify) "
                   "and name them here as well (--email, --phone, --url may repeat).\n";
    }
    if (rows.empty()) {
      if (all.withheld() == 0) cli.out() << "No request was filed with it verified.\n";
      return;
    }
    PrintTable(cli.out(), {"REQUEST", "TYPE", "STATE", "FILED"}, rows);
    cli.out() << "\nA new receipt for each is kept in " << receipts.directory()
              << ". Follow one with: dsr status REQUEST\n";
  });
  return kept;
}

}  // namespace

void AddIdentityCommands(CLI::App& app, Cli& cli) {
  CLI::App* verify = app.add_subcommand(
      "verify",
      "Prove that an identifier is yours, before `dsr submit` or `dsr requests`. Example: dsr "
      "verify email alice@example.com");
  verify->require_subcommand(1);
  AddVerify(verify, cli, "email", SubjectIdentifier::EMAIL,
            "Get a one-time code by email and confirm it");
  AddVerify(verify, cli, "phone", SubjectIdentifier::PHONE,
            "Get a one-time code by text message and confirm it");
  AddVerify(verify, cli, "url", SubjectIdentifier::URL,
            "Prove you run a web site by serving a challenge on it");

  auto args = std::make_shared<RequestsArgs>();
  CLI::App* requests = app.add_subcommand(
      "requests",
      "List the requests you filed with a verified identifier, each with a new receipt (after "
      "dsr verify). Example: dsr requests --email alice@example.com");
  requests->add_option("--email", args->emails, "An email address you verified (repeatable)");
  requests->add_option("--phone", args->phones, "A phone number you verified (repeatable)");
  requests->add_option("--url", args->urls, "A web site you verified (repeatable)");
  requests->callback([&cli, args] { cli.Run([&cli, args] { return ListRequests(cli, *args); }); });
}

}  // namespace dsr::client
