// `dsr` commands for a person: submit, status, cancel, report, and reading
// the public register (holdings, lineage).

#include <functional>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "client/cli/cli.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/receipts.h"
#include "client/cli/verified.h"

namespace dsr::client {
namespace {

struct SubmitArgs {
  std::string type;
  std::vector<std::string> emails, urls, usernames, phones, names;
  std::vector<std::string> holdings, actors;
  std::string scope = "downstream";
  std::string details;
  std::string request_id;
  bool email_updates = false;
  std::string language;
};

absl::StatusOr<dsr::v1::Request::LineageScope> ParseScope(const std::string& word) {
  if (word == "downstream") return dsr::v1::Request::DOWNSTREAM;
  if (word == "target") return dsr::v1::Request::TARGET_ONLY;
  if (word == "lineage") return dsr::v1::Request::FULL_LINEAGE;
  return UsageError("--scope must be one of: downstream, target, lineage");
}

// Prints where a request went: each task under the holding it came through.
void PrintRoutes(std::ostream& out,
                 const google::protobuf::RepeatedPtrField<dsr::v1::Task>& tasks) {
  std::map<std::string, std::vector<const dsr::v1::Task*>> under;  // via -> tasks
  for (const dsr::v1::Task& t : tasks) under[t.via()].push_back(&t);
  std::function<void(const std::string&, std::vector<bool>)> walk = [&](const std::string& via,
                                                                        std::vector<bool> open) {
    auto it = under.find(via);
    if (it == under.end()) return;
    const std::vector<const dsr::v1::Task*>& children = it->second;
    for (size_t i = 0; i < children.size(); ++i) {
      const dsr::v1::Task& t = *children[i];
      const bool last = i + 1 == children.size();
      out << TreeLine(open, last,
                      absl::StrCat(t.holding(), "  (", t.actor(), ", due ",
                                   FormatTime(t.due_time()), ")"))
          << "\n";
      if (t.holding() != via) {
        std::vector<bool> deeper = open;
        deeper.push_back(!last);
        walk(t.holding(), deeper);
      }
    }
  };
  walk("", {});
  // Tasks forwarded through a holding that has no task (a retired one).
  for (const auto& [via, list] : under) {
    bool known = via.empty();
    for (const dsr::v1::Task& t : tasks) known = known || t.holding() == via;
    if (!known) {
      out << via << "  (retired: no task, passed on)\n";
      walk(via, {});
    }
  }
}

std::string Answer(const dsr::v1::Task& t) {
  if (t.state() == dsr::v1::Task::COMPLETED) {
    return EnumWord(dsr::v1::Outcome_descriptor(), t.outcome());
  }
  if (t.state() == dsr::v1::Task::REFUSED) {
    return absl::StrCat(EnumWord(dsr::v1::RefusalGround_descriptor(), t.refusal_ground()), ": ",
                        HolderWords(t.explanation()));
  }
  return "-";
}

void PrintRequest(std::ostream& out, const dsr::v1::GetRequestResponse& r) {
  const dsr::v1::Request& q = r.request();
  const dsr::v1::TaskCounts& c = q.task_counts();
  out << q.name() << "  " << EnumWord(dsr::v1::RequestType_descriptor(), q.type()) << "  "
      << EnumWord(dsr::v1::Request::State_descriptor(), q.state()) << "  filed "
      << FormatTime(q.create_time()) << "\n";
  if (q.has_purge_time()) {
    out << "personal data (identifiers, details, access reports) destroyed "
        << FormatTime(q.purge_time()) << " under the broker's retention policy\n";
  }
  out << "tasks: " << r.tasks_size() << " (open " << c.open() << ", acknowledged "
      << c.acknowledged() << ", completed " << c.completed() << ", refused " << c.refused()
      << ", cancelled " << c.cancelled() << ", overdue " << c.overdue() << ")\n";
  if (c.waiting_for_identity() > 0) {
    out << c.waiting_for_identity()
        << " holder(s) ask you to prove your identity again (below); verify with dsr verify, "
           "then run: dsr reverify "
        << q.name() << "\n";
  }
  out << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const dsr::v1::Task& t : r.tasks()) {
    std::string due = FormatTime(t.due_time());
    if (t.extension_months() > 0) {
      absl::StrAppend(&due, " (+", t.extension_months(), "m: ", HolderWords(t.extension_reason()),
                      ")");
    }
    rows.push_back({t.actor(), t.holding(), absl::StrJoin(t.path(), " > "),
                    EnumWord(dsr::v1::Task::State_descriptor(), t.state()), Answer(t), due,
                    t.overdue() ? "OVERDUE" : ""});
  }
  PrintTable(out, {"HOLDER", "HOLDING", "PATH", "STATE", "ANSWER", "DUE", ""}, rows);
  for (const dsr::v1::Task& t : r.tasks()) {
    if (t.state() == dsr::v1::Task::WAITING_FOR_IDENTITY) {
      out << "\n" << t.actor() << " asks: " << HolderWords(t.identity_request()) << "\n";
    }
  }
}

// The token that opens `request`: --token, else the kept receipt.
absl::StatusOr<std::string> ReceiptFor(Cli& cli, const std::string& request) {
  // DSR_TOKEN is typically an organisation's token: it must not hide the
  // person's receipt. Only an explicit --token replaces it.
  if (cli.token_from_flag()) return cli.options().token;
  return ReceiptStore(cli.env().data_dir).Load(request);
}

absl::StatusOr<std::string> RequestOrLatest(Cli& cli, const std::string& request) {
  if (!request.empty()) return request;
  return ReceiptStore(cli.env().data_dir).Latest();
}

// Runs `body` with the connection's token set to the request's receipt.
absl::Status WithReceipt(Cli& cli, const std::string& request_arg,
                         const std::function<absl::Status(const std::string&)>& body) {
  absl::StatusOr<std::string> request = RequestOrLatest(cli, request_arg);
  if (!request.ok()) return request.status();
  absl::StatusOr<std::string> token = ReceiptFor(cli, *request);
  if (!token.ok()) return token.status();
  cli.options().token = *token;
  return body(*request);
}

}  // namespace

void AddPersonCommands(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<SubmitArgs>();
  CLI::App* submit = app.add_subcommand(
      "submit",
      "File a rights request; it is forwarded to every holder along the lineage.\n"
      "Example: dsr submit erasure --email alice@example.com --holding "
      "actors/acme/holdings/web-crawl");
  submit
      ->add_option("type", args->type,
                   "access, rectification, erasure, restriction, "
                   "portability or objection")
      ->required();
  submit->add_option("--email", args->emails, "Your email address (repeatable)");
  submit->add_option("--url", args->urls, "A URL that identifies you, e.g. a profile page");
  submit->add_option("--username", args->usernames, "platform:handle, e.g. github:octocat");
  submit->add_option("--phone", args->phones, "Phone number, international form");
  submit->add_option("--name", args->names, "Your name");
  submit->add_option("--holding", args->holdings, "A holding: actors/ACTOR/holdings/HOLDING");
  submit->add_option("--actor", args->actors, "An organisation: actors/ACTOR (all its holdings)");
  submit->add_option("--scope", args->scope, "downstream (default), target or lineage");
  submit->add_option("--details", args->details, "What to rectify, grounds of an objection");
  submit->add_option("--request-id", args->request_id, "Idempotency key for a safe retry");
  submit->add_flag("--email-updates", args->email_updates,
                   "Email me at each milestone (to my verified email address)");
  submit->add_option("--language", args->language, "Language of the broker's emails: en or fr");
  submit->callback([&cli, args] {
    cli.Run([&cli, args]() -> absl::Status {
      dsr::v1::SubmitRequestRequest request;
      dsr::v1::Request* r = request.mutable_request();
      absl::StatusOr<int> type =
          ParseEnumWord(dsr::v1::RequestType_descriptor(), args->type, "TYPE");
      if (!type.ok()) return type.status();
      r->set_type(static_cast<dsr::v1::RequestType>(*type));
      auto add = [r](dsr::v1::SubjectIdentifier::Type t, const std::vector<std::string>& values) {
        for (const std::string& v : values) {
          dsr::v1::SubjectIdentifier* id = r->add_subject_identifiers();
          id->set_type(t);
          id->set_value(v);
        }
      };
      add(dsr::v1::SubjectIdentifier::EMAIL, args->emails);
      add(dsr::v1::SubjectIdentifier::URL, args->urls);
      add(dsr::v1::SubjectIdentifier::USERNAME, args->usernames);
      add(dsr::v1::SubjectIdentifier::PHONE, args->phones);
      add(dsr::v1::SubjectIdentifier::NAME, args->names);
      if (r->subject_identifiers().empty()) {
        return UsageError("say who you are: --email, --url, --username, --phone or --name");
      }
      for (const std::string& h : args->holdings) r->add_targets(h);
      for (const std::string& a : args->actors) r->add_targets(a);
      if (r->targets().empty()) {
        return UsageError("say where your data is: --holding or --actor");
      }
      absl::StatusOr<dsr::v1::Request::LineageScope> scope = ParseScope(args->scope);
      if (!scope.ok()) return scope.status();
      r->set_lineage_scope(*scope);
      r->set_details(args->details);
      request.set_request_id(args->request_id);
      request.set_email_updates(args->email_updates);
      request.set_language_code(args->language);
      // Fresh verifications (`dsr verify`) prove the identifiers they cover.
      VerificationStore verified(cli.env().data_dir);
      std::vector<dsr::v1::SubjectIdentifier> proved;
      for (const dsr::v1::SubjectIdentifier& id : r->subject_identifiers()) {
        if (std::optional<std::string> token = verified.Token(id, absl::Now())) {
          request.add_verification_tokens(*token);
          proved.push_back(id);
        }
      }
      // The receipt is made here, so that a retry (same --request-id) sends
      // the same one and nobody else can get one by replaying the key.
      ReceiptStore receipts(cli.env().data_dir);
      absl::StatusOr<std::string> receipt = receipts.ReceiptForSubmit(args->request_id);
      if (!receipt.ok()) return receipt.status();
      request.set_receipt_token(*receipt);
      absl::StatusOr<dsr::v1::SubmitRequestResponse> filed =
          cli.connection().SubmitRequest(request);
      if (!filed.ok()) return filed.status();
      for (const dsr::v1::SubjectIdentifier& id : proved) verified.Spent(id);
      absl::Status kept = receipts.Save(filed->request().name(), filed->receipt_token());
      if (kept.ok()) receipts.Filed(args->request_id);
      cli.Print(*filed, [&] {
        cli.out() << "Filed " << filed->request().name() << " ("
                  << EnumWord(dsr::v1::RequestType_descriptor(), filed->request().type())
                  << "), forwarded to " << filed->tasks_size() << " holdings:\n";
        PrintRoutes(cli.out(), filed->tasks());
        if (kept.ok()) {
          cli.out() << "\nYour receipt is kept in " << receipts.directory()
                    << " (private). Follow it with: dsr status\n";
        }
      });
      if (!kept.ok()) {
        // The receipt is shown once: on stdout, with the rest of the answer.
        cli.out() << "Receipt (shown once; keep it to follow the request): "
                  << filed->receipt_token() << "\n";
        return absl::UnavailableError(absl::StrCat(
            "the request was filed but its receipt could not be kept: ", kept.message()));
      }
      return absl::OkStatus();
    });
  });

  auto request_arg = std::make_shared<std::string>();
  CLI::App* status = app.add_subcommand(
      "status", "Where your request stands, holder by holder.\nExample: dsr status");
  status->add_option("request", *request_arg, "requests/ID (default: the last one you filed)");
  status->callback([&cli, request_arg] {
    cli.Run([&cli, request_arg] {
      return WithReceipt(cli, *request_arg, [&cli](const std::string& name) -> absl::Status {
        // Every page of tasks, shown as one.
        dsr::v1::GetRequestResponse all;
        dsr::v1::GetRequestRequest get;
        get.set_name(name);
        do {
          absl::StatusOr<dsr::v1::GetRequestResponse> read = cli.connection().GetRequest(get);
          if (!read.ok()) return read.status();
          *all.mutable_request() = read->request();
          for (dsr::v1::Task& task : *read->mutable_tasks()) *all.add_tasks() = std::move(task);
          get.set_page_token(read->next_page_token());
        } while (!get.page_token().empty());
        cli.Print(all, [&] { PrintRequest(cli.out(), all); });
        return absl::OkStatus();
      });
    });
  });

  auto cancel_arg = std::make_shared<std::string>();
  CLI::App* cancel = app.add_subcommand(
      "cancel", "Withdraw your request; every holder is told.\nExample: dsr cancel requests/ab12");
  cancel->add_option("request", *cancel_arg, "requests/ID")->required();
  cancel->callback([&cli, cancel_arg] {
    cli.Run([&cli, cancel_arg] {
      return WithReceipt(cli, *cancel_arg, [&cli](const std::string& name) -> absl::Status {
        dsr::v1::CancelRequestRequest request;
        request.set_name(name);
        absl::StatusOr<dsr::v1::GetRequestResponse> done = cli.connection().CancelRequest(request);
        if (!done.ok()) return done.status();
        cli.Print(*done, [&] { PrintRequest(cli.out(), *done); });
        return absl::OkStatus();
      });
    });
  });

  auto reverify_arg = std::make_shared<std::string>();
  CLI::App* reverify = app.add_subcommand(
      "reverify",
      "Answer a holder that asks you to prove your identity again, with your fresh "
      "verifications (dsr verify first).\nExample: dsr reverify requests/ab12");
  reverify->add_option("request", *reverify_arg, "requests/ID (default: the last one you filed)");
  reverify->callback([&cli, reverify_arg] {
    cli.Run([&cli, reverify_arg] {
      return WithReceipt(cli, *reverify_arg, [&cli](const std::string& name) -> absl::Status {
        dsr::v1::GetRequestRequest get;
        get.set_name(name);
        get.set_page_size(1);
        absl::StatusOr<dsr::v1::GetRequestResponse> read = cli.connection().GetRequest(get);
        if (!read.ok()) return read.status();
        VerificationStore verified(cli.env().data_dir);
        dsr::v1::ConfirmIdentityRequest request;
        request.set_name(name);
        std::vector<dsr::v1::SubjectIdentifier> proved;
        for (const dsr::v1::SubjectIdentifier& id : read->request().subject_identifiers()) {
          if (std::optional<std::string> token = verified.Token(id, absl::Now())) {
            request.add_verification_tokens(*token);
            proved.push_back(id);
          }
        }
        if (proved.empty()) {
          return UsageError(
              "no fresh verification of this request's identifiers is kept: run dsr verify "
              "email ADDRESS (or phone, url) first");
        }
        absl::StatusOr<dsr::v1::GetRequestResponse> done =
            cli.connection().ConfirmIdentity(request);
        if (!done.ok()) return done.status();
        for (const dsr::v1::SubjectIdentifier& id : proved) verified.Spent(id);
        cli.Print(*done, [&] { PrintRequest(cli.out(), *done); });
        return absl::OkStatus();
      });
    });
  });

  auto report_arg = std::make_shared<std::string>();
  CLI::App* report = app.add_subcommand(
      "report",
      "What every holder told you about your data (access and portability requests).\n"
      "Example: dsr report requests/ab12");
  report->add_option("request", *report_arg, "requests/ID (default: the last one you filed)");
  report->callback([&cli, report_arg] {
    cli.Run([&cli, report_arg] {
      return WithReceipt(cli, *report_arg, [&cli](const std::string& name) -> absl::Status {
        dsr::v1::GetAccessReportRequest get;
        get.set_name(name);
        // Every page, merged into one (the merge of all holders comes with the first).
        absl::StatusOr<dsr::v1::GetAccessReportResponse> r = dsr::v1::GetAccessReportResponse();
        do {
          absl::StatusOr<dsr::v1::GetAccessReportResponse> page =
              cli.connection().GetAccessReport(get);
          if (!page.ok()) return page.status();
          r->MergeFrom(*page);
          get.set_page_token(page->next_page_token());
        } while (!get.page_token().empty());
        r->clear_next_page_token();
        cli.Print(*r, [&] {
          for (const dsr::v1::HolderReport& h : r->holder_reports()) {
            const dsr::v1::AccessReport& a = h.report();
            cli.out() << h.holding() << "  (" << h.actor() << ", "
                      << EnumWord(dsr::v1::Task::State_descriptor(), h.state()) << ")\n";
            // Every field came from the holder (or its register entry).
            auto line = [&](const char* label, const std::string& value) {
              if (!value.empty()) cli.out() << "  " << label << ": " << HolderWords(value) << "\n";
            };
            line("purposes", a.purposes());
            line("data categories", absl::StrJoin(a.data_categories(), ", "));
            line("sources", absl::StrJoin(a.sources(), ", "));
            line("recipients", absl::StrJoin(a.recipients(), ", "));
            line("retention", a.retention());
            line("automated decisions", a.automated_decision_making());
            if (a.has_inline_copy()) {
              line("copy", absl::StrCat(a.inline_copy().data().size(), " bytes of ",
                                        a.inline_copy().media_type(), " (use --json for it)"));
            }
            line("copy", a.copy_url());
          }
        });
        return absl::OkStatus();
      });
    });
  });

  auto owner = std::make_shared<std::string>();
  auto external_id = std::make_shared<std::string>();
  CLI::App* holdings = app.add_subcommand(
      "holdings",
      "List registered datasets and models.\nExample: dsr holdings --external-id hf:squad");
  holdings->add_option("--owner", *owner, "Only this organisation's, actors/ACTOR");
  holdings->add_option("--external-id", *external_id, "Only holdings known by this id");
  holdings->callback([&cli, owner, external_id] {
    cli.Run([&cli, owner, external_id]() -> absl::Status {
      dsr::v1::ListHoldingsRequest list;
      list.set_parent(owner->empty() ? "actors/-" : *owner);
      list.set_external_id(*external_id);
      list.set_page_size(1000);
      dsr::v1::ListHoldingsResponse all;
      do {
        absl::StatusOr<dsr::v1::ListHoldingsResponse> page = cli.connection().ListHoldings(list);
        if (!page.ok()) return page.status();
        all.mutable_holdings()->MergeFrom(page->holdings());
        list.set_page_token(page->next_page_token());
      } while (!list.page_token().empty());
      cli.Print(all, [&] {
        std::vector<std::vector<std::string>> rows;
        for (const dsr::v1::Holding& h : all.holdings()) {
          rows.push_back({h.name(), EnumWord(dsr::v1::Holding::Kind_descriptor(), h.kind()),
                          EnumWord(dsr::v1::Holding::State_descriptor(), h.state()), h.title()});
        }
        PrintTable(cli.out(), {"HOLDING", "KIND", "STATE", "TITLE"}, rows);
      });
      return absl::OkStatus();
    });
  });

  auto root = std::make_shared<std::string>();
  auto up = std::make_shared<bool>(false);
  auto both = std::make_shared<bool>(false);
  auto depth = std::make_shared<int>(0);
  CLI::App* lineage =
      app.add_subcommand("lineage",
                         "Show what a holding was made from, or what was made from it, as a tree.\n"
                         "Example: dsr lineage actors/acme/holdings/web-crawl --down --depth 3");
  lineage->add_option("holding", *root, "actors/ACTOR/holdings/HOLDING")->required();
  lineage->add_flag("--up", *up, "What it was made from");
  lineage->add_flag("--down", "What was made from it (the default)");
  lineage->add_flag("--both", *both, "Both ways");
  lineage->add_option("--depth", *depth, "Most links to follow (1-64)")->check(CLI::Range(1, 64));
  lineage->callback([&cli, root, up, both, depth] {
    cli.Run([&cli, root, up, both, depth]() -> absl::Status {
      dsr::v1::GetLineageRequest get;
      get.set_holding(*root);
      get.set_direction(*both ? dsr::v1::BOTH : *up ? dsr::v1::UPSTREAM : dsr::v1::DOWNSTREAM);
      get.set_max_depth(*depth);
      // Every page, merged into one.
      absl::StatusOr<dsr::v1::GetLineageResponse> lin = dsr::v1::GetLineageResponse();
      do {
        absl::StatusOr<dsr::v1::GetLineageResponse> page = cli.connection().GetLineage(get);
        if (!page.ok()) return page.status();
        lin->MergeFrom(*page);
        get.set_page_token(page->next_page_token());
      } while (!get.page_token().empty());
      lin->clear_next_page_token();
      cli.Print(*lin, [&] {
        std::map<std::string, std::string> titles;
        for (const auto& n : lin->nodes()) titles[n.holding()] = n.title();
        // Tree edges in each direction, in the order the broker found them.
        std::map<std::string, std::vector<std::pair<std::string, int>>> next;
        for (const auto& e : lin->edges()) {
          next[e.parent()].push_back({e.child(), dsr::v1::DOWNSTREAM});
          next[e.child()].push_back({e.parent(), dsr::v1::UPSTREAM});
        }
        std::map<std::string, bool> printed;
        std::function<void(const std::string&, int, std::vector<bool>)> walk =
            [&](const std::string& at, int direction, std::vector<bool> open) {
              std::vector<std::string> kids;
              for (const auto& [holding, d] : next[at]) {
                if (d == direction) kids.push_back(holding);
              }
              for (size_t i = 0; i < kids.size(); ++i) {
                const bool last = i + 1 == kids.size();
                const bool again = printed[kids[i]];
                cli.out() << TreeLine(open, last,
                                      absl::StrCat(kids[i], "  ", titles[kids[i]],
                                                   again ? "  (shown above)" : ""))
                          << "\n";
                printed[kids[i]] = true;
                if (!again) {
                  std::vector<bool> deeper = open;
                  deeper.push_back(!last);
                  walk(kids[i], direction, deeper);
                }
              }
            };
        cli.out() << *root << "  " << titles[*root] << "\n";
        printed[*root] = true;
        if (*up || *both) {
          cli.out() << "made from:\n";
          walk(*root, dsr::v1::UPSTREAM, {});
        }
        if (!*up || *both) {
          if (*both) cli.out() << "made into:\n";
          walk(*root, dsr::v1::DOWNSTREAM, {});
        }
      });
      return absl::OkStatus();
    });
  });
}

}  // namespace dsr::client
