// dsr: the DSR Broker's command-line client.

#include <string>
#include <vector>

#include "client/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return dsr::client::RunDsr(args, dsr::client::CliEnvironment());
}
