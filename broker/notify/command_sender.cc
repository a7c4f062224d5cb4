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

namespace dsr::broker {

namespace {

constexpr absl::Duration kCommandTimeout = absl::Seconds(30);

absl::Status RunOnce(const std::string& command, const OutgoingMessage& message) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return absl::UnavailableError("text message: no pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
  // The number goes on standard input (not argv, which other users of the
  // host can read), and the command gets a minimal environment.
  char* argv[] = {const_cast<char*>(command.c_str()), nullptr};
  char path[] = "PATH=/usr/local/bin:/usr/bin:/bin";
  char* env[] = {path, nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, command.c_str(), &actions, nullptr, argv, env);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[0]);
  if (spawned != 0) {
    close(pipe_fds[1]);
    return absl::UnavailableError(
        absl::StrCat("text message: cannot run the sender command (", strerror(spawned), ")"));
  }
  // The number on the first line, then the message; small (under the
  // pipe's buffer). A command that exits without reading makes the write
  // fail with EPIPE: the broker ignores SIGPIPE (main.cc).
  const std::string body = absl::StrCat(message.to, "\n", message.body);
  size_t written = 0;
  while (written < body.size()) {
    const ssize_t n = write(pipe_fds[1], body.data() + written, body.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(pipe_fds[1]);
  const bool read_all = written == body.size();
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
  if (!read_all) {
    return absl::UnavailableError("text message: the sender command did not read the message");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("text message: the sender command failed (status ",
                                             WIFEXITED(status) ? WEXITSTATUS(status) : -1, ")"));
}

}  // namespace

std::unique_ptr<SendQueue> NewCommandSender(std::string command) {
  // A command that exits without reading must fail the write, not kill the
  // process (main.cc does the same for the binary).
  ::signal(SIGPIPE, SIG_IGN);
  SendQueueOptions queue;
  queue.channel = "text message";
  return std::make_unique<SendQueue>(
      queue, [command = std::move(command)](const OutgoingMessage& message) {
        return RunOnce(command, message);
      });
}

}  // namespace dsr::broker
