#ifndef DSR_BROKER_SERVER_BROKER_SERVER_H_
#define DSR_BROKER_SERVER_BROKER_SERVER_H_

// The broker served over gRPC: the core (broker/core/broker_core.h) with the
// gRPC services, health and reflection around it, listening on one port
// whose connections it admits itself (connection_gate.h). Used by the
// dsr-broker binary and by in-process tests. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/broker_core.h"
#include "storage/store.h"

namespace grpc {
class ServerBuilder;
}  // namespace grpc

namespace dsr::broker {

// Limits on what one client connection may take from the broker.
struct ConnectionLimits {
  // Largest message received or sent. Default: 4 MiB (SPEC §5); an access
  // report of 1 MiB fits with room to spare.
  int max_message_bytes = 4 << 20;
  // Calls open at once on one connection. Default: 100.
  int max_concurrent_streams = 100;
  // Keepalive pings a client may send without data in between, at most one
  // per this interval; more count as strikes, and 2 strikes close the
  // connection. Default: 5 minutes (gRPC's client default is to send none).
  absl::Duration min_client_ping_interval = absl::Minutes(5);
  // A connection with no call for this long is closed. Default: 15 minutes.
  absl::Duration max_connection_idle = absl::Minutes(15);
  // A connection is closed (gracefully, calls get `max_connection_age_grace`
  // to finish) after this long, so that clients spread over restarts and
  // replicas. Default: 1 hour.
  absl::Duration max_connection_age = absl::Hours(1);
  absl::Duration max_connection_age_grace = absl::Minutes(5);
  // gRPC's resource quota (its transports' buffers). Default: 1 GiB.
  int grpc_memory_mib = 1024;
  // Connections held at once, in all and per client address (IPv4 address,
  // IPv6 /64), and descriptors kept free below the file limit: past any of
  // them a new connection is closed at once (server/connection_gate.h).
  // Defaults: 10,000, 100, 256.
  int max_connections = 10000;
  int max_connections_per_address = 100;
  int keep_free_descriptors = 256;
};

// Transport security. PEM files.
struct TlsOptions {
  // The server's certificate chain and private key: TLS when both are set.
  std::string cert_file;
  std::string key_file;
  // CA that signs client certificates: mutual TLS. A client that presents a
  // certificate must present a valid one; its URI subject alternative name
  // `dsr:actors/{actor}` identifies it as that actor when it sends no token.
  std::string client_ca_file;
  // Refuse to start without TLS.
  bool require_tls = false;
};

// The core's options (broker/core/broker_core.h) and the gRPC transport's.
struct BrokerServerOptions : BrokerCoreOptions {
  // Address to listen on, HOST:PORT. Port 0 picks a free port.
  // Default: 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // Transport limits (gRPC channel arguments). Pages stop at half the
  // largest message (Limits::max_reply_bytes).
  ConnectionLimits connection;
  TlsOptions tls;
  // For tests and benchmarks: called with the gRPC server builder just
  // before the server starts (to add interceptors, say). Default: none.
  std::function<void(grpc::ServerBuilder&)> configure_builder;
};

class BrokerServer {
 public:
  // Opens the store, loads the registry and starts serving. UNAVAILABLE if
  // the address cannot be bound or the data directory cannot be used;
  // FAILED_PRECONDITION for missing or unreadable keys and certificates, or
  // require_tls without a certificate.
  static absl::StatusOr<std::unique_ptr<BrokerServer>> Start(const BrokerServerOptions& options);

  // Shuts down (if not done yet) and closes the store.
  ~BrokerServer();

  // The port actually bound.
  int port() const;
  // HOST:PORT actually bound.
  std::string address() const;
  // The store's counters (commits, WAL syncs), for benchmarks.
  storage::StoreStats store_stats() const;
  // Answers to failed authentications waiting to be sent (tests).
  size_t late_refusals() const;
  // The core the server serves (tests).
  BrokerCore& core();
  // Path of the admin token file, and whether this start created it.
  const std::string& admin_token_file() const;
  bool admin_token_created() const;

  // Whether the store failed in a way only reopening it clears (a write or
  // sync of its write-ahead log failed, on a full disk say): the broker is
  // NOT_SERVING and refuses writes until it is shut down and started again
  // on the same data (dsr-broker does so by itself). Failures of table-file
  // writes clear by themselves once space is back.
  bool NeedsRestart() const;

  // Health turns NOT_SERVING, new calls are refused with UNAVAILABLE, calls
  // in flight get up to `grace` to finish and are cancelled after that; then
  // the port is closed. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Parts;
  explicit BrokerServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVER_BROKER_SERVER_H_
