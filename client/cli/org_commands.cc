// `dsr` commands for an organisation's privacy staff (their actor token):
// holdings, links, the inbox and the tasks in it.

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/cli.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "google/protobuf/util/json_util.h"

namespace dsr::client {
namespace {

struct HoldingArgs {
  std::string id_or_name, owner, kind, title, version, description, purposes, license, retention,
      legal_basis;
  std::vector<std::string> external_ids, categories;
};

// The fields given on the command line, and their update_mask paths.
absl::StatusOr<dsr::v1::Holding> HoldingFields(const HoldingArgs& a,
                                               std::vector<std::string>* paths) {
  dsr::v1::Holding h;
  auto text = [&](const std::string& value, const char* path,
                  void (dsr::v1::Holding::*set)(const std::string&)) {
    if (value.empty()) return;
    (h.*set)(value);
    paths->push_back(path);
  };
  text(a.title, "title", &dsr::v1::Holding::set_title);
  text(a.version, "version", &dsr::v1::Holding::set_version);
  text(a.description, "description", &dsr::v1::Holding::set_description);
  text(a.purposes, "purposes", &dsr::v1::Holding::set_purposes);
  text(a.license, "license", &dsr::v1::Holding::set_license);
  text(a.retention, "retention", &dsr::v1::Holding::set_retention);
  if (!a.kind.empty()) {
    absl::StatusOr<int> kind = ParseEnumWord(dsr::v1::Holding::Kind_descriptor(), a.kind, "--kind");
    if (!kind.ok()) return kind.status();
    h.set_kind(static_cast<dsr::v1::Holding::Kind>(*kind));
  }
  if (!a.legal_basis.empty()) {
    absl::StatusOr<int> basis =
        ParseEnumWord(dsr::v1::Holding::LegalBasis_descriptor(), a.legal_basis, "--legal-basis");
    if (!basis.ok()) return basis.status();
    h.set_legal_basis(static_cast<dsr::v1::Holding::LegalBasis>(*basis));
    paths->push_back("legal_basis");
  }
  for (const std::string& id : a.external_ids) h.add_external_ids(id);
  if (!a.external_ids.empty()) paths->push_back("external_ids");
  for (const std::string& c : a.categories) h.add_data_categories(c);
  if (!a.categories.empty()) paths->push_back("data_categories");
  return h;
}

void AddHoldingFieldOptions(CLI::App* cmd, HoldingArgs& a) {
  cmd->add_option("--title", a.title, "Title");
  cmd->add_option("--version", a.version, "Release or version label");
  cmd->add_option("--description", a.description, "Description");
  cmd->add_option("--purposes", a.purposes, "Purposes of the processing");
  cmd->add_option("--license", a.license, "Licence");
  cmd->add_option("--retention", a.retention, "How long data is kept");
  cmd->add_option("--legal-basis", a.legal_basis,
                  "consent, contract, legal-obligation, vital-interests, public-task or "
                  "legitimate-interests");
  cmd->add_option("--external-id", a.external_ids,
                  "How others name it, e.g. hf:squad (repeatable)");
  cmd->add_option("--category", a.categories, "A category of personal data held (repeatable)");
}

void PrintHolding(Cli& cli, const dsr::v1::Holding& h) {
  cli.Print(h, [&] {
    cli.out() << h.name() << "  " << EnumWord(dsr::v1::Holding::Kind_descriptor(), h.kind()) << "  "
              << EnumWord(dsr::v1::Holding::State_descriptor(), h.state()) << "  " << h.title()
              << "\n";
    if (!h.external_ids().empty()) {
      cli.out() << "  known as: " << absl::StrJoin(h.external_ids(), ", ") << "\n";
    }
  });
}

void PrintLink(Cli& cli, const dsr::v1::Link& l) {
  cli.out() << l.name() << ": " << l.child() << " "
            << EnumWord(dsr::v1::Link::Relation_descriptor(), l.relation()) << " " << l.parent()
            << " (" << EnumWord(dsr::v1::Link::State_descriptor(), l.state()) << ")\n";
}

void PrintTask(Cli& cli, const dsr::v1::Task& t) {
  cli.Print(t, [&] {
    cli.out() << t.name() << "  " << EnumWord(dsr::v1::RequestType_descriptor(), t.request_type())
              << "  " << EnumWord(dsr::v1::Task::State_descriptor(), t.state())
              << (t.overdue() ? "  OVERDUE" : "") << "\n";
    cli.out() << "  holding: " << t.holding() << "  ("
              << EnumWord(dsr::v1::Task::Reason_descriptor(), t.reason()) << ")\n";
    if (!t.via().empty()) cli.out() << "  via: " << absl::StrJoin(t.path(), " > ") << "\n";
    cli.out() << "  due: " << FormatTime(t.due_time()) << "\n";
    for (const dsr::v1::SubjectIdentifier& id : t.subject_identifiers()) {
      cli.out() << "  subject "
                << EnumWord(dsr::v1::SubjectIdentifier::Type_descriptor(), id.type()) << ": "
                << id.value() << "\n";
    }
    if (!t.details().empty()) cli.out() << "  details: " << t.details() << "\n";
    if (t.state() == dsr::v1::Task::COMPLETED) {
      cli.out() << "  outcome: " << EnumWord(dsr::v1::Outcome_descriptor(), t.outcome()) << "\n";
    }
    if (t.state() == dsr::v1::Task::REFUSED) {
      cli.out() << "  refused: "
                << EnumWord(dsr::v1::RefusalGround_descriptor(), t.refusal_ground()) << ": "
                << t.explanation() << "\n";
    }
  });
}

// Adds `dsr task VERB TASK` whose request is built by `make` from the task
// name; the reply is the task.
template <typename Request>
CLI::App* AddTaskVerb(CLI::App* task, Cli& cli, const std::string& verb, const std::string& help,
                      std::shared_ptr<std::string> name,
                      std::function<absl::StatusOr<Request>(const std::string&)> make,
                      absl::StatusOr<dsr::v1::Task> (Connection::*call)(const Request&)) {
  CLI::App* cmd = task->add_subcommand(verb, help);
  cmd->add_option("task", *name, "requests/R/tasks/N")->required();
  cmd->callback([&cli, name, make, call] {
    cli.Run([&cli, name, make, call]() -> absl::Status {
      absl::StatusOr<Request> request = make(*name);
      if (!request.ok()) return request.status();
      absl::StatusOr<dsr::v1::Task> done = (cli.connection().*call)(*request);
      if (!done.ok()) return done.status();
      PrintTask(cli, *done);
      return absl::OkStatus();
    });
  });
  return cmd;
}

}  // namespace

void AddOrganisationCommands(CLI::App& app, Cli& cli) {
  // dsr holding create|update|retire
  CLI::App* holding = app.add_subcommand("holding", "Your organisation's datasets and models");
  holding->require_subcommand(1);
  auto create_args = std::make_shared<HoldingArgs>();
  CLI::App* create = holding->add_subcommand(
      "create",
      "Register a dataset or model.\nExample: dsr holding create web-crawl --owner "
      "actors/acme --kind dataset --title \"Web crawl 2026\" --external-id hf:acme/crawl");
  create->add_option("id", create_args->id_or_name, "Slug: [a-z][a-z0-9-]{2,62}")->required();
  create->add_option("--owner", create_args->owner, "actors/ACTOR")->required();
  create->add_option("--kind", create_args->kind, "dataset or model")->required();
  AddHoldingFieldOptions(create, *create_args);
  create->callback([&cli, create_args] {
    cli.Run([&cli, create_args]() -> absl::Status {
      std::vector<std::string> paths;
      absl::StatusOr<dsr::v1::Holding> fields = HoldingFields(*create_args, &paths);
      if (!fields.ok()) return fields.status();
      dsr::v1::CreateHoldingRequest request;
      request.set_parent(create_args->owner);
      request.set_holding_id(create_args->id_or_name);
      *request.mutable_holding() = *fields;
      absl::StatusOr<dsr::v1::Holding> made = cli.connection().CreateHolding(request);
      if (!made.ok()) return made.status();
      PrintHolding(cli, *made);
      return absl::OkStatus();
    });
  });
  auto update_args = std::make_shared<HoldingArgs>();
  CLI::App* update =
      holding->add_subcommand("update",
                              "Change the fields given.\nExample: dsr holding update "
                              "actors/acme/holdings/web-crawl --retention \"5 years\"");
  update->add_option("holding", update_args->id_or_name, "actors/ACTOR/holdings/HOLDING")
      ->required();
  AddHoldingFieldOptions(update, *update_args);
  update->callback([&cli, update_args] {
    cli.Run([&cli, update_args]() -> absl::Status {
      dsr::v1::UpdateHoldingRequest request;
      std::vector<std::string> paths;
      absl::StatusOr<dsr::v1::Holding> fields = HoldingFields(*update_args, &paths);
      if (!fields.ok()) return fields.status();
      if (paths.empty()) return UsageError("give at least one field to change");
      *request.mutable_holding() = *fields;
      request.mutable_holding()->set_name(update_args->id_or_name);
      for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
      absl::StatusOr<dsr::v1::Holding> changed = cli.connection().UpdateHolding(request);
      if (!changed.ok()) return changed.status();
      PrintHolding(cli, *changed);
      return absl::OkStatus();
    });
  });
  auto retire_name = std::make_shared<std::string>();
  CLI::App* retire =
      holding->add_subcommand("retire",
                              "Mark a holding as no longer held.\nExample: dsr holding retire "
                              "actors/acme/holdings/old-crawl");
  retire->add_option("holding", *retire_name, "actors/ACTOR/holdings/HOLDING")->required();
  retire->callback([&cli, retire_name] {
    cli.Run([&cli, retire_name]() -> absl::Status {
      dsr::v1::RetireHoldingRequest request;
      request.set_name(*retire_name);
      absl::StatusOr<dsr::v1::Holding> retired = cli.connection().RetireHolding(request);
      if (!retired.ok()) return retired.status();
      PrintHolding(cli, *retired);
      return absl::OkStatus();
    });
  });

  // dsr link add|rm|list|accept|reject
  CLI::App* link = app.add_subcommand("link", "Provenance: what your holdings were made from");
  link->require_subcommand(1);
  auto child = std::make_shared<std::string>();
  auto parent = std::make_shared<std::string>();
  auto relation = std::make_shared<std::string>();
  CLI::App* add = link->add_subcommand(
      "add",
      "Declare that CHILD was made from PARENT. A PARENT of another organisation's\n"
      "must accept the link before requests follow it.\nExample: dsr link add "
      "actors/acme/holdings/chat-model actors/acme/holdings/web-crawl --relation trained-on");
  add->add_option("child", *child, "Your holding")->required();
  add->add_option("parent", *parent, "The holding it was made from")->required();
  add->add_option("--relation", *relation,
                  "copy, subset, derived, trained-on, fine-tuned-from or generated-by")
      ->required();
  add->callback([&cli, child, parent, relation] {
    cli.Run([&cli, child, parent, relation]() -> absl::Status {
      absl::StatusOr<int> rel =
          ParseEnumWord(dsr::v1::Link::Relation_descriptor(), *relation, "--relation");
      if (!rel.ok()) return rel.status();
      dsr::v1::CreateLinkRequest request;
      request.mutable_link()->set_child(*child);
      request.mutable_link()->set_parent(*parent);
      request.mutable_link()->set_relation(static_cast<dsr::v1::Link::Relation>(*rel));
      absl::StatusOr<dsr::v1::Link> made = cli.connection().CreateLink(request);
      if (!made.ok()) return made.status();
      cli.Print(*made, [&] {
        PrintLink(cli, *made);
        if (made->state() == dsr::v1::Link::PROPOSED) {
          cli.out() << "proposed: requests follow it once the owner of " << made->parent()
                    << " accepts it (dsr link accept " << made->name() << ")\n";
        }
      });
      return absl::OkStatus();
    });
  });
  auto rm_child = std::make_shared<std::string>();
  auto rm_parent = std::make_shared<std::string>();
  CLI::App* rm =
      link->add_subcommand("rm",
                           "Remove a link, by name or by its two holdings.\nExample: dsr link rm "
                           "actors/acme/holdings/chat-model actors/acme/holdings/web-crawl");
  rm->add_option("link_or_child", *rm_child, "links/ID, or the child holding")->required();
  rm->add_option("parent", *rm_parent, "The parent holding (with a child holding)");
  rm->callback([&cli, rm_child, rm_parent] {
    cli.Run([&cli, rm_child, rm_parent]() -> absl::Status {
      std::string name = *rm_child;
      if (!absl::StartsWith(name, "links/")) {
        if (rm_parent->empty()) return UsageError("give links/ID, or CHILD PARENT");
        // The child's owner's links, in any state (a proposal is not in the
        // lineage yet).
        const size_t holdings = rm_child->find("/holdings/");
        if (!absl::StartsWith(*rm_child, "actors/") || holdings == std::string::npos) {
          return UsageError("CHILD must be actors/ACTOR/holdings/HOLDING");
        }
        dsr::v1::ListLinksRequest list;
        list.set_actor(rm_child->substr(0, holdings));
        list.set_page_size(1000);
        do {
          absl::StatusOr<dsr::v1::ListLinksResponse> page = cli.connection().ListLinks(list);
          if (!page.ok()) return page.status();
          for (const dsr::v1::Link& l : page->links()) {
            if (l.child() == *rm_child && l.parent() == *rm_parent) name = l.name();
          }
          list.set_page_token(page->next_page_token());
        } while (name == *rm_child && !list.page_token().empty());
        if (name == *rm_child) return absl::NotFoundError("no link between these holdings");
      }
      dsr::v1::DeleteLinkRequest request;
      request.set_name(name);
      absl::Status removed = cli.connection().DeleteLink(request);
      if (!removed.ok()) return removed;
      if (!cli.json()) cli.out() << "removed " << name << "\n";
      return absl::OkStatus();
    });
  });
  auto list_actor = std::make_shared<std::string>();
  auto list_state = std::make_shared<std::string>();
  CLI::App* link_list = link->add_subcommand(
      "list",
      "The links touching ACTOR's holdings, in any state: the proposals it must decide\n"
      "and those it made.\nExample: dsr link list actors/acme --state proposed");
  link_list->add_option("actor", *list_actor, "actors/ACTOR (yours)")->required();
  link_list->add_option("--state", *list_state, "proposed, accepted or rejected");
  link_list->callback([&cli, list_actor, list_state] {
    cli.Run([&cli, list_actor, list_state]() -> absl::Status {
      dsr::v1::ListLinksRequest request;
      request.set_actor(*list_actor);
      if (!list_state->empty()) {
        absl::StatusOr<int> state =
            ParseEnumWord(dsr::v1::Link::State_descriptor(), *list_state, "--state");
        if (!state.ok()) return state.status();
        request.set_state(static_cast<dsr::v1::Link::State>(*state));
      }
      request.set_page_size(1000);
      dsr::v1::ListLinksResponse all;
      do {
        absl::StatusOr<dsr::v1::ListLinksResponse> page = cli.connection().ListLinks(request);
        if (!page.ok()) return page.status();
        for (dsr::v1::Link& l : *page->mutable_links()) *all.add_links() = std::move(l);
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty());
      cli.Print(all, [&] {
        std::vector<std::vector<std::string>> rows;
        for (const dsr::v1::Link& l : all.links()) {
          rows.push_back({l.name(), EnumWord(dsr::v1::Link::State_descriptor(), l.state()),
                          l.child(), EnumWord(dsr::v1::Link::Relation_descriptor(), l.relation()),
                          l.parent()});
        }
        PrintTable(cli.out(), {"LINK", "STATE", "CHILD", "RELATION", "PARENT"}, rows);
      });
      return absl::OkStatus();
    });
  });
  for (const bool accept : {true, false}) {
    auto decided = std::make_shared<std::string>();
    CLI::App* verb = link->add_subcommand(
        accept ? "accept" : "reject",
        accept ? "Accept a proposed link to your holding: the requests on it follow the link.\n"
                 "Example: dsr link accept links/b4k2m7"
               : "Reject a proposed link to your holding: nothing follows it.\n"
                 "Example: dsr link reject links/b4k2m7");
    verb->add_option("link", *decided, "links/ID")->required();
    verb->callback([&cli, decided, accept] {
      cli.Run([&cli, decided, accept]() -> absl::Status {
        absl::StatusOr<dsr::v1::Link> done;
        if (accept) {
          dsr::v1::AcceptLinkRequest request;
          request.set_name(*decided);
          done = cli.connection().AcceptLink(request);
        } else {
          dsr::v1::RejectLinkRequest request;
          request.set_name(*decided);
          done = cli.connection().RejectLink(request);
        }
        if (!done.ok()) return done.status();
        cli.Print(*done, [&] { PrintLink(cli, *done); });
        return absl::OkStatus();
      });
    });
  }

  // dsr inbox list|watch
  CLI::App* inbox = app.add_subcommand("inbox", "The requests forwarded to your organisation");
  inbox->require_subcommand(1);
  auto state = std::make_shared<std::string>();
  auto overdue = std::make_shared<bool>(false);
  CLI::App* list =
      inbox->add_subcommand("list", "Your tasks.\nExample: dsr inbox list --state open --overdue");
  list->add_option("--state", *state, "open, acknowledged, completed, refused or cancelled");
  list->add_flag("--overdue", *overdue, "Only tasks past their due time");
  list->callback([&cli, state, overdue] {
    cli.Run([&cli, state, overdue]() -> absl::Status {
      dsr::v1::ListTasksRequest request;
      if (!state->empty()) {
        absl::StatusOr<int> s = ParseEnumWord(dsr::v1::Task::State_descriptor(), *state, "--state");
        if (!s.ok()) return s.status();
        request.set_state(static_cast<dsr::v1::Task::State>(*s));
      }
      request.set_overdue(*overdue);
      request.set_page_size(1000);
      dsr::v1::ListTasksResponse all;
      do {
        absl::StatusOr<dsr::v1::ListTasksResponse> page = cli.connection().ListTasks(request);
        if (!page.ok()) return page.status();
        all.mutable_tasks()->MergeFrom(page->tasks());
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty());
      cli.Print(all, [&] {
        std::vector<std::vector<std::string>> rows;
        for (const dsr::v1::Task& t : all.tasks()) {
          rows.push_back({t.name(), EnumWord(dsr::v1::RequestType_descriptor(), t.request_type()),
                          t.holding(), EnumWord(dsr::v1::Task::State_descriptor(), t.state()),
                          FormatTime(t.due_time()), t.overdue() ? "OVERDUE" : ""});
        }
        PrintTable(cli.out(), {"TASK", "TYPE", "HOLDING", "STATE", "DUE", ""}, rows);
      });
      return absl::OkStatus();
    });
  });
  auto from = std::make_shared<uint64_t>(0);
  auto limit = std::make_shared<int>(0);
  CLI::App* watch =
      inbox->add_subcommand("watch",
                            "Print tasks as they arrive and commit the cursor after each.\n"
                            "Example: dsr inbox watch        (resumes after the committed cursor)");
  watch->add_option("--from", *from, "Start after this sequence number instead of the cursor");
  watch->add_option("--count", *limit, "Stop after this many events (default: run until stopped)");
  watch->callback([&cli, watch, from, limit] {
    const bool from_given = watch->count("--from") > 0;
    cli.Run([&cli, from, limit, from_given]() -> absl::Status {
      dsr::v1::StreamInboxRequest request;
      if (from_given) {
        request.set_after_sequence(*from);
      } else {
        request.set_from_committed_cursor(true);
      }
      int seen = 0;
      absl::Status failure;
      absl::Status ended = cli.connection().StreamInbox(request, [&](const dsr::v1::InboxEvent& e) {
        cli.Print(e, [&] {
          cli.out() << "#" << e.sequence() << " "
                    << EnumWord(dsr::v1::InboxEvent::Kind_descriptor(), e.kind()) << " ";
        });
        if (!cli.json()) {
          if (e.has_link()) {
            PrintLink(cli, e.link());
          } else {
            PrintTask(cli, e.task());
          }
        }
        cli.out().flush();
        dsr::v1::CommitInboxRequest commit;
        commit.set_sequence(e.sequence());
        absl::StatusOr<dsr::v1::CommitInboxResponse> committed =
            cli.connection().CommitInbox(commit);
        if (!committed.ok()) {
          failure = committed.status();
          return false;
        }
        return *limit == 0 || ++seen < *limit;
      });
      return failure.ok() ? ended : failure;
    });
  });

  // dsr task show|ack|complete|refuse|extend
  CLI::App* task = app.add_subcommand("task", "Answer one task");
  task->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  AddTaskVerb<dsr::v1::GetTaskRequest>(
      task, cli, "show",
      "Show a task, the person's identifiers included.\n"
      "Example: dsr task show requests/ab12/tasks/3",
      name,
      [](const std::string& n) -> absl::StatusOr<dsr::v1::GetTaskRequest> {
        dsr::v1::GetTaskRequest r;
        r.set_name(n);
        return r;
      },
      &Connection::GetTask);
  AddTaskVerb<dsr::v1::AcknowledgeTaskRequest>(
      task, cli, "ack", "Acknowledge a task.\nExample: dsr task ack requests/ab12/tasks/3", name,
      [](const std::string& n) -> absl::StatusOr<dsr::v1::AcknowledgeTaskRequest> {
        dsr::v1::AcknowledgeTaskRequest r;
        r.set_name(n);
        return r;
      },
      &Connection::AcknowledgeTask);

  auto outcome = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  CLI::App* complete = AddTaskVerb<dsr::v1::CompleteTaskRequest>(
      task, cli, "complete",
      "Answer a task.\nExample: dsr task complete requests/ab12/tasks/3 --outcome erased\n"
      "         dsr task complete requests/cd34/tasks/1 --outcome access-provided "
      "--report report.json",
      name,
      [outcome, report_file,
       note](const std::string& n) -> absl::StatusOr<dsr::v1::CompleteTaskRequest> {
        absl::StatusOr<int> o = ParseEnumWord(dsr::v1::Outcome_descriptor(), *outcome, "--outcome");
        if (!o.ok()) return o.status();
        dsr::v1::CompleteTaskRequest r;
        r.set_name(n);
        r.set_outcome(static_cast<dsr::v1::Outcome>(*o));
        r.set_explanation(*note);
        if (!report_file->empty()) {
          std::ifstream in(*report_file);
          if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", *report_file));
          std::stringstream json;
          json << in.rdbuf();
          if (!google::protobuf::util::JsonStringToMessage(json.str(), r.mutable_access_report())
                   .ok()) {
            return UsageError(absl::StrCat(*report_file, " is not an access report in JSON"));
          }
        }
        return r;
      },
      &Connection::CompleteTask);
  complete
      ->add_option("--outcome", *outcome,
                   absl::StrJoin(EnumWords(dsr::v1::Outcome_descriptor()), ", "))
      ->required();
  complete->add_option("--report", *report_file,
                       "An access report as JSON (dsr.v1.AccessReport), for access-provided");
  complete->add_option("--explanation", *note, "A note for the person");

  auto ground = std::make_shared<std::string>();
  auto why = std::make_shared<std::string>();
  CLI::App* refuse = AddTaskVerb<dsr::v1::RefuseTaskRequest>(
      task, cli, "refuse",
      "Refuse a task, with the legal ground and an explanation for the person.\n"
      "Example: dsr task refuse requests/ab12/tasks/3 --ground legal-claims "
      "--explanation \"needed for a pending lawsuit\"",
      name,
      [ground, why](const std::string& n) -> absl::StatusOr<dsr::v1::RefuseTaskRequest> {
        absl::StatusOr<int> g =
            ParseEnumWord(dsr::v1::RefusalGround_descriptor(), *ground, "--ground");
        if (!g.ok()) return g.status();
        dsr::v1::RefuseTaskRequest r;
        r.set_name(n);
        r.set_ground(static_cast<dsr::v1::RefusalGround>(*g));
        r.set_explanation(*why);
        return r;
      },
      &Connection::RefuseTask);
  refuse
      ->add_option("--ground", *ground,
                   absl::StrJoin(EnumWords(dsr::v1::RefusalGround_descriptor()), ", "))
      ->required();
  refuse->add_option("--explanation", *why, "Why, for the person")->required();

  auto months = std::make_shared<int>(0);
  auto reason = std::make_shared<std::string>();
  CLI::App* extend = AddTaskVerb<dsr::v1::ExtendTaskRequest>(
      task, cli, "extend",
      "Extend a task's deadline by 1 or 2 months (2 in total), before it is due.\n"
      "Example: dsr task extend requests/ab12/tasks/3 --months 1 --reason \"many releases to "
      "check\"",
      name,
      [months, reason](const std::string& n) -> absl::StatusOr<dsr::v1::ExtendTaskRequest> {
        dsr::v1::ExtendTaskRequest r;
        r.set_name(n);
        r.set_months(*months);
        r.set_reason(*reason);
        return r;
      },
      &Connection::ExtendTask);
  extend->add_option("--months", *months, "1 or 2")->required()->check(CLI::Range(1, 2));
  extend->add_option("--reason", *reason, "Shown to the person")->required();

  auto message = std::make_shared<std::string>();
  CLI::App* ask = AddTaskVerb<dsr::v1::RequestIdentityRequest>(
      task, cli, "ask-identity",
      "With a real doubt about who the person is, ask them to prove it again: the task waits, "
      "its clock stopped, until they do (then it comes back with a new attestation) or you "
      "refuse on IDENTITY_NOT_VERIFIED.\n"
      "Example: dsr task ask-identity requests/ab12/tasks/3 --message \"two people share this "
      "address in our data\"",
      name,
      [message](const std::string& n) -> absl::StatusOr<dsr::v1::RequestIdentityRequest> {
        dsr::v1::RequestIdentityRequest r;
        r.set_name(n);
        r.set_message(*message);
        return r;
      },
      &Connection::RequestIdentity);
  ask->add_option("--message", *message, "What you doubt and need; shown to the person")
      ->required();
}

}  // namespace dsr::client
