#ifndef DSR_TESTS_E2E_BROKER_PROCESS_H_
#define DSR_TESTS_E2E_BROKER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace dsr::testing {

// Runs `argv[0]` with the rest as its arguments to completion; its exit
// code (128 + signal if a signal ended it). `*output` receives what it
// printed on stdout and stderr.
int RunProgram(const std::vector<std::string>& argv, std::string* output);

// The real dsr-broker binary in a child process, on a free loopback port.
// Its stdout and stderr are collected. Not thread-safe.
class BrokerProcess {
 public:
  // Starts the binary with --listen 127.0.0.1:0 --data_dir `data_dir` and
  // `extra_args`, and waits for its `listening on HOST:PORT` line. FAILED_
  // PRECONDITION with the child's output if it exits first.
  static absl::StatusOr<std::unique_ptr<BrokerProcess>> Start(
      const std::string& data_dir, const std::vector<std::string>& extra_args = {});

  // Runs the binary to completion (it is expected to fail to start) and
  // returns its exit code; `*output` receives what it printed.
  static int RunToExit(const std::vector<std::string>& args, std::string* output);

  // Kills the child with SIGKILL if it still runs.
  ~BrokerProcess();

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` to the child.
  void Signal(int signal) const;
  // Waits for the child to exit; its exit code, or 128 + signal.
  int Wait();
  // Everything the child printed so far.
  std::string Output() const;

 private:
  friend int RunProgram(const std::vector<std::string>& argv, std::string* output);
  BrokerProcess() = default;
  static pid_t Spawn(const std::vector<std::string>& args, int* read_fd);

  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string address_;
  std::thread reader_;
  mutable absl::Mutex mu_;
  std::string output_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::testing

#endif  // DSR_TESTS_E2E_BROKER_PROCESS_H_
