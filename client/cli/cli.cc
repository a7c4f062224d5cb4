#include "client/cli/cli.h"

#include <iostream>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/util/json_util.h"

namespace dsr::client {
namespace {

constexpr char kUsagePayload[] = "dsr.usage";

}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

Connection& Cli::connection() {
  if (connection_ == nullptr) connection_ = env_.connect(options_);
  return *connection_;
}

void Cli::Print(const google::protobuf::Message& message, const std::function<void()>& human) {
  if (!json_) {
    human();
    return;
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) {
    text = "{}";
  }
  out() << text;
  if (text.empty() || text.back() != '\n') out() << "\n";
}

int RunDsr(const std::vector<std::string>& args, CliEnvironment env) {
  if (env.out == nullptr) env.out = &std::cout;
  if (env.err == nullptr) env.err = &std::cerr;
  if (env.in == nullptr) env.in = &std::cin;
  std::ostream& err = *env.err;
  Cli cli(env);

  CLI::App app{
      "dsr: file and follow data-protection rights requests, answer them as a holder, and run the "
      "DSR Broker.\n\nExamples:\n  dsr submit erasure --email alice@example.com --holding "
      "actors/acme/holdings/web-crawl\n  dsr status\n  dsr --token \"$(cat org.token)\" inbox "
      "watch",
      "dsr"};
  app.require_subcommand(1);
  if (const char* broker = env.getenv("DSR_BROKER"); broker != nullptr && *broker != '\0') {
    cli.options().broker = broker;
  }
  if (const char* token = env.getenv("DSR_TOKEN"); token != nullptr && *token != '\0') {
    cli.options().token = token;
  }
  double timeout_seconds = 30;
  app.add_option("--broker", cli.options().broker, "Broker address HOST:PORT (env DSR_BROKER)")
      ->capture_default_str();
  CLI::Option* token_flag =
      app.add_option("--token", cli.options().token, "Bearer token (env DSR_TOKEN)");
  std::string tls_ca, tls_cert, tls_key;
  app.add_option("--tls-ca", tls_ca, "Connect over TLS, trusting this CA (PEM)");
  app.add_option("--tls-cert", tls_cert,
                 "Client certificate (PEM) for mutual TLS: identifies your organisation "
                 "without --token");
  app.add_option("--tls-key", tls_key, "Private key (PEM) of --tls-cert");
  // Global options may also follow the command: `dsr holdings --json`.
  app.fallthrough();
  app.add_flag("--json", cli.json(), "Print the API's messages as proto3 JSON");
  app.add_option("--timeout", timeout_seconds, "Seconds to wait for each call")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));

  AddPersonCommands(app, cli);
  AddOrganisationCommands(app, cli);
  AddAdminCommands(app, cli);
  AddIdentityCommands(app, cli);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // Help (of whichever command asked) goes to out; a mistake to err.
    const int code = app.exit(e, *env.out, err);
    return code == 0 ? 0 : 2;
  }
  cli.options().timeout = absl::Seconds(timeout_seconds);
  if (absl::Status tls = LoadTlsFiles(tls_ca, tls_cert, tls_key, &cli.options()); !tls.ok()) {
    err << "dsr: " << tls.message() << "\n";
    return 2;
  }
  cli.set_token_from_flag(token_flag->count() > 0);
  absl::Status status = cli.Execute();
  if (!status.ok()) {
    if (IsUsageError(status)) {
      err << "dsr: " << status.message() << " (see --help)\n";
      return 2;
    }
    err << "dsr: " << status.message();
    if (status.code() == absl::StatusCode::kUnauthenticated) err << " (check --token or DSR_TOKEN)";
    if (status.code() == absl::StatusCode::kUnavailable && !cli.options().tls) {
      err << " (if it serves TLS, add --tls-ca)";
    }
    err << "\n";
    return 1;
  }
  return 0;
}

}  // namespace dsr::client
