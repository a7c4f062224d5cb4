// `dsr admin` commands for the broker's operator: organisations, tokens,
// the audit log; backups are in backup_commands.cc.

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "client/cli/cli.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/import_plan.h"
#include "client/importer.h"

namespace dsr::client {
namespace {

struct ActorArgs {
  std::string id;
  std::string name;
  std::vector<std::string> roles;
  std::string contact;
  std::string request_id;
};

}  // namespace

void AddAdminCommands(CLI::App& app, Cli& cli) {
  CLI::App* admin = app.add_subcommand("admin", "The operator's commands (admin token)");
  admin->require_subcommand(1);
  CLI::App* actor = admin->add_subcommand("actor", "Organisations");
  actor->require_subcommand(1);

  auto args = std::make_shared<ActorArgs>();
  CLI::App* create = actor->add_subcommand(
      "create",
      "Register an organisation; prints its token once.\nExample: dsr admin actor create acme "
      "--name \"Acme Research\" --role dataset-publisher --contact dpo@acme.example");
  create->add_option("id", args->id, "Slug: [a-z][a-z0-9-]{2,62}")->required();
  create->add_option("--name", args->name, "Display name")->required();
  create
      ->add_option("--role", args->roles,
                   "dataset-publisher, model-developer or dataset-reuser (repeatable)")
      ->required();
  create->add_option("--contact", args->contact, "Privacy contact email")->required();
  create->add_option("--request-id", args->request_id, "Idempotency key for a safe retry");
  create->callback([&cli, args] {
    cli.Run([&cli, args]() -> absl::Status {
      dsr::v1::CreateActorRequest request;
      request.set_actor_id(args->id);
      request.mutable_actor()->set_display_name(args->name);
      for (const std::string& role : args->roles) {
        absl::StatusOr<int> value =
            ParseEnumWord(dsr::v1::Actor::Role_descriptor(), role, "--role");
        if (!value.ok()) return value.status();
        request.mutable_actor()->add_roles(static_cast<dsr::v1::Actor::Role>(*value));
      }
      request.mutable_actor()->set_contact_email(args->contact);
      request.set_request_id(args->request_id);
      absl::StatusOr<dsr::v1::CreateActorResponse> made = cli.connection().CreateActor(request);
      if (!made.ok()) return made.status();
      cli.Print(*made, [&] {
        cli.out() << "Registered " << made->actor().name() << " (" << made->actor().display_name()
                  << ")\n";
        if (!made->token().empty()) {
          cli.out() << "Token (shown once; hand it to the organisation):\n"
                    << made->token() << "\n";
        }
      });
      return absl::OkStatus();
    });
  });

  auto rotate_id = std::make_shared<std::string>();
  CLI::App* rotate =
      actor->add_subcommand("rotate-token",
                            "Replace an organisation's token; the old one stops working.\n"
                            "Example: dsr admin actor rotate-token acme");
  rotate->add_option("id", *rotate_id, "The organisation's id")->required();
  rotate->callback([&cli, rotate_id] {
    cli.Run([&cli, rotate_id]() -> absl::Status {
      dsr::v1::RotateActorTokenRequest request;
      request.set_name("actors/" + *rotate_id);
      absl::StatusOr<dsr::v1::RotateActorTokenResponse> rotated =
          cli.connection().RotateActorToken(request);
      if (!rotated.ok()) return rotated.status();
      cli.Print(*rotated, [&] {
        cli.out() << "New token for actors/" << *rotate_id << " (shown once):\n"
                  << rotated->token() << "\n";
      });
      return absl::OkStatus();
    });
  });

  struct ImportArgs {
    std::string nodes, edges, tokens_out;
    int threads = 4;
  };
  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* import_cmd = admin->add_subcommand(
      "import",
      "Onboard a provenance graph in bulk: an organisation per holder, a holding per node, a link "
      "per edge. Running it again changes nothing.\nExample: dsr admin import --nodes "
      "nodes.tsv --edges graph.tsv --tokens-out tokens.txt");
  import_cmd->add_option("--nodes", import_args->nodes, "nodes.tsv")->required();
  import_cmd->add_option("--edges", import_args->edges, "graph.tsv")->required();
  import_cmd
      ->add_option("--tokens-out", import_args->tokens_out,
                   "File (mode 0600) that receives the new organisations' tokens")
      ->required();
  import_cmd->add_option("--threads", import_args->threads, "Calls in flight")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  import_cmd->callback([&cli, import_args] {
    cli.Run([&cli, import_args]() -> absl::Status {
      absl::StatusOr<ImportPlan> plan = PlanImport(import_args->nodes, import_args->edges);
      if (!plan.ok()) return plan.status();
      ImportOptions options;
      options.threads = import_args->threads;
      options.tokens_out = import_args->tokens_out;
      if (cli.env().err_is_terminal) {
        options.progress = [&cli](int done, int total) {
          const int width = 40;
          const int filled = total == 0 ? width : done * width / total;
          cli.err() << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
                    << done << "/" << total << std::flush;
        };
      }
      const absl::Time start = absl::Now();
      absl::StatusOr<ImportSummary> summary = RunImport(cli.connection(), *plan, options);
      // End the progress bar, also one cut short, so what follows gets its own line.
      if (options.progress) cli.err() << "\n";
      if (!summary.ok()) return summary.status();
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      for (const ImportProblem& p : summary->problems) {
        if (!p.file.empty()) cli.err() << p.file << ":" << p.line << ": ";
        cli.err() << p.problem << "\n";
      }
      cli.out() << (summary->changed() ? "Imported" : "Nothing to change: already imported")
                << " in " << absl::StrFormat("%.1f", seconds) << " s\n"
                << "  organisations: " << summary->actors_created << " new, "
                << summary->actors_existing << " already there\n"
                << "  holdings:      " << summary->holdings_created << " new, "
                << summary->holdings_existing << " already there\n"
                << "  links:         " << summary->links_created << " new, "
                << summary->links_existing << " already there\n"
                << "  rows not loaded: " << summary->problems.size() << "\n";
      if (summary->actors_created > 0) {
        cli.out() << "New organisations' tokens were added to " << import_args->tokens_out << "\n";
      }
      return absl::OkStatus();
    });
  }  // namespace dsr::client
  );

  CLI::App* audit = admin->add_subcommand("audit", "The hash-chained audit log");
  audit->require_subcommand(1);
  CLI::App* list = audit->add_subcommand("list",
                                         "Every change, oldest first.\n"
                                         "Example: dsr admin audit list");
  list->callback([&cli] {
    cli.Run([&cli]() -> absl::Status {
      dsr::v1::ListAuditEventsRequest request;
      request.set_page_size(1000);
      dsr::v1::ListAuditEventsResponse all;
      do {
        absl::StatusOr<dsr::v1::ListAuditEventsResponse> page =
            cli.connection().ListAuditEvents(request);
        if (!page.ok()) return page.status();
        all.mutable_events()->MergeFrom(page->events());
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty());
      cli.Print(all, [&] {
        std::vector<std::vector<std::string>> rows;
        for (const dsr::v1::AuditEvent& e : all.events()) {
          rows.push_back({std::to_string(e.sequence()), FormatTime(e.event_time()), e.principal(),
                          e.action(), e.resource()});
        }
        PrintTable(cli.out(), {"SEQ", "TIME", "WHO", "ACTION", "RESOURCE"}, rows);
      });
      return absl::OkStatus();
    });
  });
  CLI::App* verify = audit->add_subcommand("verify",
                                           "Recompute the hash chain; exits 1 if it is broken.\n"
                                           "Example: dsr admin audit verify");
  verify->callback([&cli] {
    cli.Run([&cli]() -> absl::Status {
      absl::StatusOr<dsr::v1::VerifyAuditLogResponse> verified =
          cli.connection().VerifyAuditLog({});
      if (!verified.ok()) return verified.status();
      cli.Print(*verified, [&] {
        if (verified->intact()) {
          cli.out() << "intact: " << verified->event_count() << " events, head "
                    << absl::BytesToHexString(verified->head_hash()) << "\n";
        }
      });
      if (!verified->intact()) {
        return absl::DataLossError(
            absl::StrCat("the audit chain breaks at event ", verified->first_broken_sequence()));
      }
      return absl::OkStatus();
    });
  });
  AddBackupCommands(*admin, cli);
}

}  // namespace dsr::client
