// dsr: the DSR Broker's command-line client.

#include <unistd.h>

#include <string>
#include <vector>

#include "client/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  dsr::client::CliEnvironment env;
  env.err_is_terminal = ::isatty(STDERR_FILENO) == 1;
  env.in_is_terminal = ::isatty(STDIN_FILENO) == 1;
  return dsr::client::RunDsr(args, env);
}
