#ifndef DSR_BROKER_SERVER_CONNECTION_GATE_H_
#define DSR_BROKER_SERVER_CONNECTION_GATE_H_

// The broker's listening socket, and the gate every connection passes: the
// broker accepts connections itself and hands the ones it admits to gRPC
// (gRPC's external connection acceptor, with the server's credentials, TLS
// included), because gRPC 1.51 has no limit on connections. A connection is
// closed at once, before gRPC sees a byte of it, when
// - the broker holds `max_connections` already, or
// - its client address (IPv4 address, IPv6 /64) holds `max_per_address`, or
// - the process is within `keep_free_descriptors` of its file limit (the
//   store's files and the sweeps need descriptors too).
// So a flood of idle connections costs the broker a bounded number of
// descriptors and memory, and never the store's.
//
// Thread-safe. One thread accepts; connections gRPC has closed are noticed
// when their descriptor's socket is gone.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_builder.h"

namespace dsr::broker {

struct ConnectionGateOptions {
  // HOST:PORT; port 0 picks a free one. HOST is an IP address or a name
  // (`localhost`); `[::]` or `0.0.0.0` for every interface.
  std::string listen;
  // Default: 10,000.
  int max_connections = 10000;
  // Default: 100.
  int max_per_address = 100;
  // Default: 256.
  int keep_free_descriptors = 256;
  // IP addresses (CanonicalIp form, matched exactly) held to
  // max_connections only: trusted front proxies, which carry many clients.
  absl::flat_hash_set<std::string> exempt_from_per_address;
};

class ConnectionGate {
 public:
  // Binds and listens. INVALID_ARGUMENT for an address that is not
  // HOST:PORT with a port from 0 to 65535; UNAVAILABLE if it cannot be
  // bound.
  static absl::StatusOr<std::unique_ptr<ConnectionGate>> Listen(
      const ConnectionGateOptions& options);
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // The port bound, and HOST:PORT.
  int port() const { return port_; }
  std::string address() const;

  // Starts accepting, handing admitted connections to `acceptor` (from
  // ServerBuilder::experimental().AddExternalConnectionAcceptor, once the
  // server is started).
  void Start(std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor);
  // Stops accepting and closes the listening socket (connections already
  // handed over are gRPC's). Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Connections admitted and still open, and connections refused so far.
  int open_connections() ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t refused() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Tracked {
    int fd;
    unsigned long inode;
    std::string address;
  };
  ConnectionGate(const ConnectionGateOptions& options, int listen_fd, int wake_fd, int port,
                 std::string host);
  void AcceptLoop();
  // Decides on the new connection `fd` from `address`; true if admitted
  // (then tracked).
  bool Admit(int fd, const std::string& address, const std::string& ip)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets connections whose socket is gone.
  void Prune() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ConnectionGateOptions options_;
  const int listen_fd_;
  // Written to wake the accept loop for Stop.
  const int wake_fd_;
  const int port_;
  const std::string host_;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Tracked> open_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> per_address_ ABSL_GUARDED_BY(mu_);
  uint64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_prune_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVER_CONNECTION_GATE_H_
