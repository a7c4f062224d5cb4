#include "tests/e2e/broker_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace dsr::testing {
namespace {

constexpr char kListening[] = "listening on ";

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

pid_t BrokerProcess::Spawn(const std::vector<std::string>& args, int* read_fd) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  *read_fd = fds[0];
  return pid;
}

absl::StatusOr<std::unique_ptr<BrokerProcess>> BrokerProcess::Start(
    const std::string& data_dir, const std::vector<std::string>& extra_args) {
  // Requests are filed without verification here; the identity tests
  // start their own broker with it.
  std::vector<std::string> args = {DSR_BROKER_BINARY, "--listen", "127.0.0.1:0",
                                   "--data_dir",      data_dir,   "--no_identity_verification"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::unique_ptr<BrokerProcess> process(new BrokerProcess());
  int fd = -1;
  process->pid_ = Spawn(args, &fd);
  if (process->pid_ < 0) return absl::InternalError("cannot start dsr-broker");
  BrokerProcess* p = process.get();
  p->reader_ = std::thread([p, fd] {
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) {
      absl::MutexLock lock(&p->mu_);
      p->output_.append(buffer, n);
    }
    ::close(fd);
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    {
      absl::MutexLock lock(&p->mu_);
      size_t at = p->output_.find(kListening);
      if (at != std::string::npos) {
        size_t end = p->output_.find('\n', at);
        if (end != std::string::npos) {
          at += sizeof(kListening) - 1;
          p->address_ = p->output_.substr(at, end - at);
          return process;
        }
      }
    }
    int status;
    if (::waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->exit_code_ = ExitCode(status);
      p->pid_ = -1;
      p->reader_.join();
      return absl::FailedPreconditionError(
          absl::StrCat("dsr-broker exited with ", p->exit_code_, ": ", p->Output()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::DeadlineExceededError(absl::StrCat("dsr-broker did not listen: ", p->Output()));
}

int BrokerProcess::RunToExit(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> full = {DSR_BROKER_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  return RunProgram(full, output);
}

int RunProgram(const std::vector<std::string>& argv, std::string* output) {
  int fd = -1;
  pid_t pid = BrokerProcess::Spawn(argv, &fd);
  if (pid < 0) return -1;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) output->append(buffer, n);
  ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return ExitCode(status);
}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    Wait();
  }
  if (reader_.joinable()) reader_.join();
}

void BrokerProcess::Signal(int signal) const {
  if (pid_ > 0) ::kill(pid_, signal);
}

int BrokerProcess::Wait() {
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = ExitCode(status);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
  }
  return exit_code_;
}

std::string BrokerProcess::Output() const {
  absl::MutexLock lock(&mu_);
  return output_;
}

}  // namespace dsr::testing
