#ifndef DSR_CLIENT_CLI_CLI_H_
#define DSR_CLIENT_CLI_CLI_H_

// The `dsr` command line: shared state of one run, and the entry point that
// tests drive with a fake connection and captured output.

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "client/connection.h"
#include "google/protobuf/message.h"

namespace dsr::client {

// What a run needs from its surroundings.
struct CliEnvironment {
  // Makes the connection once the options are known.
  std::function<std::unique_ptr<Connection>(const ConnectionOptions&)> connect = MakeConnection;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // Whether `err` is a terminal (progress bars are drawn only there).
  bool err_is_terminal = false;
  // Where a code typed by the person is read from, when `in_is_terminal`
  // (`dsr verify` asks for it there); default: standard input.
  std::istream* in = nullptr;
  bool in_is_terminal = false;
  // Where receipts are kept. Default (empty): $XDG_DATA_HOME/dsr, else
  // ~/.local/share/dsr.
  std::string data_dir;
  // Environment variables (DSR_BROKER, DSR_TOKEN); default: the process's.
  std::function<const char*(const char*)> getenv = [](const char* name) {
    return std::getenv(name);
  };
};

// One run's state, handed to the command modules.
class Cli {
 public:
  explicit Cli(CliEnvironment env) : env_(std::move(env)) {}

  ConnectionOptions& options() { return options_; }
  // Whether the token came from --token (not from DSR_TOKEN): only then does
  // it stand in for a person's kept receipt.
  bool token_from_flag() const { return token_from_flag_; }
  void set_token_from_flag(bool from_flag) { token_from_flag_ = from_flag; }
  std::ostream& err() { return *env_.err; }
  bool& json() { return json_; }
  std::ostream& out() { return *env_.out; }
  CliEnvironment& env() { return env_; }

  // The connection, made on first use.
  Connection& connection();
  // The command to run after parsing.
  void Run(std::function<absl::Status()> action) { action_ = std::move(action); }
  // Prints `message` as proto3 JSON when --json, else `human()`'s text.
  void Print(const google::protobuf::Message& message, const std::function<void()>& human);
  absl::Status Execute() { return action_ ? action_() : absl::OkStatus(); }

 private:
  CliEnvironment env_;
  ConnectionOptions options_;
  bool json_ = false;
  bool token_from_flag_ = false;
  std::unique_ptr<Connection> connection_;
  std::function<absl::Status()> action_;
};

// A mistake on the command line found after parsing (an unknown word, a
// missing option): exits 2, like CLI11's own parse errors.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

// Command modules: each adds its subcommands to `app`.
void AddPersonCommands(CLI::App& app, Cli& cli);
void AddOrganisationCommands(CLI::App& app, Cli& cli);
void AddAdminCommands(CLI::App& app, Cli& cli);
// `verify` and `requests`: proving identifiers, finding one's requests.
void AddIdentityCommands(CLI::App& app, Cli& cli);
// Adds `backup` and its subcommands to the `admin` command.
void AddBackupCommands(CLI::App& admin, Cli& cli);

// Runs `dsr` with `args` (without the program name). Returns the exit code:
// 0 on success, 1 when the broker refused or could not be reached (one line
// on `err` names the problem), 2 for a command-line mistake.
int RunDsr(const std::vector<std::string>& args, CliEnvironment env);

}  // namespace dsr::client

#endif  // DSR_CLIENT_CLI_CLI_H_
