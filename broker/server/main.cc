// dsr-broker: the DSR Broker server.

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/server/backup_flags.h"
#include "broker/server/broker_server.h"
#include "broker/server/identity_flags.h"
#include "broker/server/limit_flags.h"
#include "broker/server/security_flags.h"

namespace {

// Blocks SIGINT and SIGTERM in this thread and every thread started after,
// so that only the sigwait below sees them.
sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Raises the soft limit on open files to the hard one: the broker's
// connections and its store share it, and the usual soft default (1,024)
// is a few hundred idle connections away from a store that cannot open
// its next file. Returns the limit in force.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

// Waits up to `timeout` for SIGINT or SIGTERM; 0 if none came.
int AwaitSignal(const sigset_t& signals, absl::Duration timeout) {
  const timespec wait = absl::ToTimespec(timeout);
  const int received = sigtimedwait(&signals, nullptr, &wait);
  return received > 0 ? received : 0;
}

// Starts the broker, and starts it again whenever its store must be
// reopened (a write to its log failed, on a full disk say), retrying while
// that fails with UNAVAILABLE (the disk is still full), until a signal stops
// it. Exits 1 if a restart fails otherwise (DATA_LOSS for a damaged log).
int Serve(dsr::broker::BrokerServerOptions options, const sigset_t& signals, absl::Duration grace) {
  absl::StatusOr<std::unique_ptr<dsr::broker::BrokerServer>> server =
      dsr::broker::BrokerServer::Start(options);
  if (!server.ok()) {
    std::cerr << "dsr-broker: " << server.status().message() << "\n";
    return 1;
  }
  if ((*server)->admin_token_created()) {
    std::cout
        << "created admin token file " << (*server)->admin_token_file() << " (mode 0600)\n"
        << "next: register an organisation with RegistryService.CreateActor, sending\n"
        << "  'authorization: Bearer <contents of that file>' (README.md, 'Calling the API')\n";
  } else {
    std::cout << "admin token file " << (*server)->admin_token_file() << "\n";
  }
  // Tests and scripts wait for this exact line.
  std::cout << "listening on " << (*server)->address() << std::endl;
  // A restart listens where the first start did (port 0 picked one).
  options.listen = (*server)->address();

  int received = 0;
  while (received == 0) {
    received = AwaitSignal(signals, absl::Milliseconds(200));
    if (received != 0 || !(*server)->NeedsRestart()) continue;
    std::cout << "the store must be reopened (a write to its log failed, or a file could not be "
                 "opened): restarting"
              << std::endl;
    (*server)->Shutdown(grace);
    server->reset();
    while (received == 0) {
      server = dsr::broker::BrokerServer::Start(options);
      if (server.ok()) {
        std::cout << "listening on " << (*server)->address() << std::endl;
        break;
      }
      if (!absl::IsUnavailable(server.status())) {
        // Not the disk still full: a damaged log, say. Serving nothing beats
        // serving a shorter history.
        std::cerr << "dsr-broker: cannot start again: " << server.status().message() << std::endl;
        return 1;
      }
      std::cerr << "dsr-broker: cannot start again yet (retrying every second): "
                << server.status().message() << std::endl;
      received = AwaitSignal(signals, absl::Seconds(1));
    }
  }
  std::cout << "received " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
            << "; finishing calls in flight" << std::endl;
  if (server.ok()) {
    (*server)->Shutdown(grace);
    server->reset();
  }
  std::cout << "stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer or a helper command that goes away mid-write (a text-message
  // command that exits early) must fail that write, not kill the broker.
  ::signal(SIGPIPE, SIG_IGN);
  dsr::broker::BrokerServerOptions options;
  options.data_dir = "var/dsr";
  double grace_seconds = 10;

  CLI::App app{
      "DSR Broker: routes data-protection rights requests along AI training-data "
      "lineage.\n\nExample:\n  dsr-broker --listen 127.0.0.1:50051 --data_dir var/dsr"};
  // A flag given twice takes its last value, so that a wrapper's defaults
  // (deploy/setup.sh serve) can be overridden by the arguments it passes on.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--listen", options.listen, "Address to serve on, HOST:PORT; port 0 picks one")
      ->capture_default_str();
  app.add_option("--data_dir", options.data_dir, "Directory of the broker's data")
      ->capture_default_str();
  app.add_option("--admin_token_file", options.admin_token_file,
                 "File with the admin token; created (mode 0600) when missing. "
                 "Default: DATA_DIR/admin_token");
  app.add_option("--read_threads", options.read_threads, "Threads that serve read calls")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--write_threads", options.write_threads, "Threads that serve write calls")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--block_cache_mib", options.block_cache_mib,
                 "Store's block cache (data, index and filter blocks), MiB")
      ->capture_default_str()
      ->check(CLI::Range(8, 1 << 20));
  app.add_option("--memtable_mib", options.memtable_mib,
                 "Store's memtables, all column families together, MiB")
      ->capture_default_str()
      ->check(CLI::Range(8, 1 << 16));
  app.add_option("--max_open_files", options.max_open_files,
                 "Table files the store keeps open at once")
      ->capture_default_str()
      ->check(CLI::Range(64, 1 << 20));
  app.add_option(
         "--store_spare_descriptors", options.store_spare_descriptors,
         "File descriptors the store holds to fall back on when the process runs out (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  app.add_option("--max_memory_mib", options.max_memory_mib,
                 "Heap high-water mark: NOT_SERVING at it, until back under 90% (0: off)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 24));
  dsr::broker::ConnectionLimits& limits = options.connection;
  app.add_option("--grpc_memory_mib", limits.grpc_memory_mib,
                 "gRPC's resource quota (its transports' buffers), MiB")
      ->capture_default_str()
      ->check(CLI::Range(16, 1 << 20));
  app.add_option("--max_message_bytes", limits.max_message_bytes,
                 "Largest message received or sent")
      ->capture_default_str()
      ->check(CLI::Range(1 << 16, 1 << 30));
  app.add_option("--max_concurrent_streams", limits.max_concurrent_streams,
                 "Calls open at once on one connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--max_calls_in_flight", options.max_calls_in_flight,
                 "Unary calls served at once; one more is refused (RESOURCE_EXHAUSTED)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--max_connections", limits.max_connections,
                 "Connections held at once; one more is closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  app.add_option("--max_connections_per_address", limits.max_connections_per_address,
                 "Connections held at once from one client address (IPv6: per /64)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  app.add_option("--keep_free_descriptors", limits.keep_free_descriptors,
                 "New connections are closed while fewer file descriptors than this are free")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app.add_option("--max_inbox_streams_per_actor", options.max_inbox_streams_per_actor,
                 "Inbox streams one organisation may hold open")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  double idle_seconds = absl::ToDoubleSeconds(limits.max_connection_idle);
  double age_seconds = absl::ToDoubleSeconds(limits.max_connection_age);
  app.add_option("--max_connection_idle_seconds", idle_seconds,
                 "Close a connection with no call for this long")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e7));
  app.add_option("--max_connection_age_seconds", age_seconds,
                 "Close connections this old (gracefully), so clients spread out")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e7));
  double sweep_seconds = 60;
  app.add_option("--overdue_sweep_seconds", sweep_seconds,
                 "How often to look for tasks past their due time")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 86400.0));
  dsr::broker::AddLimitFlags(app, options.limits);
  dsr::broker::SecurityFlagValues security;
  dsr::broker::AddSecurityFlags(app, options, security);
  dsr::broker::BackupFlagValues backup;
  dsr::broker::AddBackupFlags(app, options, backup);
  dsr::broker::IdentityFlagValues identity;
  dsr::broker::AddIdentityFlags(app, options, identity);
  app.add_option("--shutdown_grace_seconds", grace_seconds,
                 "On SIGTERM or SIGINT, how long calls in flight may take to finish")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  CLI11_PARSE(app, argc, argv);
  // Debian builds Abseil with its debug-build mutex deadlock detector on,
  // which records every lock acquisition in a global graph; the tests keep
  // it, the served binary does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  dsr::broker::ApplySecurityFlags(security, options);
  if (absl::Status applied = dsr::broker::ApplyIdentityFlags(identity, options); !applied.ok()) {
    std::cerr << "dsr-broker: " << applied.message() << "\n";
    return 1;
  }
  options.overdue_sweep_interval = absl::Seconds(sweep_seconds);
  limits.max_connection_idle = absl::Seconds(idle_seconds);
  limits.max_connection_age = absl::Seconds(age_seconds);
  if (absl::Status restored = dsr::broker::RestoreIfAsked(backup, options); !restored.ok()) {
    std::cerr << "dsr-broker: " << restored.message() << "\n";
    return 1;
  }
  const rlim_t files = RaiseFileLimit();
  if (files != 0 && files < 4096) {
    std::cerr << "dsr-broker: the limit on open files is " << files
              << "; connections and the store share it: raise it (ulimit -n, LimitNOFILE=)\n";
  }
  const sigset_t signals = BlockShutdownSignals();
  return Serve(options, signals, absl::Seconds(grace_seconds));
}
