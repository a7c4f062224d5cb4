#include "broker/notify/command_sender.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace dsr::broker {

namespace {

constexpr absl::Duration kCommandTimeout = absl::Seconds(30);

absl::Status RunOnce(const std::string& command, const OutgoingMessage& message) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return absl::UnavailableError("text message: no pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
  std::string number = message.to;
  char* argv[] = {const_cast<char*>(command.c_str()), number.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, command.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[0]);
  if (spawned != 0) {
    close(pipe_fds[1]);
    return absl::UnavailableError(
        absl::StrCat("text message: cannot run the sender command (", strerror(spawned), ")"));
  }
  // The message is small (under the pipe's buffer): one write, then EOF.
  const std::string& body = message.body;
  size_t written = 0;
  while (written < body.size()) {
    const ssize_t n = write(pipe_fds[1], body.data() + written, body.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(pipe_fds[1]);
  const absl::Time deadline = absl::Now() + kCommandTimeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return absl::UnavailableError("text message: lost the command");
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return absl::UnavailableError("text message: the sender command timed out");
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("text message: the sender command failed (status ",
                                             WIFEXITED(status) ? WEXITSTATUS(status) : -1, ")"));
}

}  // namespace

std::unique_ptr<SendQueue> NewCommandSender(std::string command) {
  SendQueueOptions queue;
  queue.channel = "text message";
  return std::make_unique<SendQueue>(
      queue, [command = std::move(command)](const OutgoingMessage& message) {
        return RunOnce(command, message);
      });
}

}  // namespace dsr::broker
