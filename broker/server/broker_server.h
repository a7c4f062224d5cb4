#ifndef DSR_BROKER_SERVER_BROKER_SERVER_H_
#define DSR_BROKER_SERVER_BROKER_SERVER_H_

// The whole broker in one object: store, domain logic, gRPC services, health
// and reflection, listening on one port. Used by the dsr-broker binary and by
// in-process tests. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/access/rate_limiter.h"
#include "broker/base/clock.h"
#include "broker/base/limits.h"
#include "broker/lifecycle/retention.h"
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
  // Inbox streams one actor may hold open at once. Default: 8.
  int max_inbox_streams_per_actor = 8;
  // Unary calls admitted at once, over every connection; one more is
  // refused at once with RESOURCE_EXHAUSTED. With the message limit this
  // bounds what calls hold. Default: 1,000.
  int max_calls_in_flight = 1000;
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

// Per-client limits; a zero rate turns one off.
struct RateLimits {
  // SubmitRequest calls per client address.
  RateLimit submits_per_address{/*per_second=*/1.0, /*burst=*/30};
  // New requests per person (each identifier's pseudonym): 10 an hour.
  RateLimit submits_per_subject{/*per_second=*/10.0 / 3600, /*burst=*/10};
  // Failed authentications per client address; past them, failures are
  // RESOURCE_EXHAUSTED until the bucket refills (a valid credential always
  // passes it).
  RateLimit failed_authentications_per_address{/*per_second=*/0.2, /*burst=*/10};
  // How long the answer to a failed authentication waits. Default: 1 s.
  absl::Duration failed_authentication_delay = absl::Seconds(1);
  // IP addresses of front proxies (deploy/haproxy.cfg) whose
  // `x-forwarded-for` names the real client, for every per-client limit;
  // they are not held to the connections-per-address limit either.
  // Default: none (behind an untrusted peer, the header is ignored).
  std::vector<std::string> trusted_proxies;
};

struct BrokerServerOptions {
  // Address to listen on, HOST:PORT. Port 0 picks a free port.
  // Default: 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // REQUIRED. Directory of the broker's data; the database is in `db/` under it.
  std::string data_dir;
  // File holding the admin token; created with a new token when missing.
  // Default (empty): `admin_token` in data_dir.
  std::string admin_token_file;
  // Files holding the master key (wraps the per-request data keys that
  // encrypt personal data) and the pepper of subject pseudonyms: 64
  // hexadecimal digits each, mode 0600. Default (empty): `master_key` and
  // `pepper` in data_dir; in production keep them on another volume than the
  // data, so that a copy of the data alone reveals nobody. A missing file is
  // created only while the database is new; later, its loss is an error.
  std::string master_key_file;
  std::string pepper_file;
  // Directory of online backups (AdminService); created when missing. Keep
  // it on another disk than data_dir. Default (empty): backups are off.
  std::string backup_dir;
  // Personal data of a completed or cancelled request is destroyed this long
  // after it became so. Default: 180 days.
  absl::Duration retention = kDefaultRetention;
  // Threads that run the domain logic of read calls. Default: 8.
  int read_threads = 8;
  // Threads that run the domain logic of write calls (each may wait for a
  // synced commit). Default: 8.
  int write_threads = 8;
  // Memory of the store: its block cache, and its memtables (all column
  // families together). With them the broker's memory is bounded whatever
  // the number of records. Defaults: 256 MiB and 64 MiB.
  int block_cache_mib = 256;
  int memtable_mib = 64;
  // Table files the store keeps open, and descriptors it holds in reserve
  // for when the process runs out (storage::StoreOptions). Defaults: 512,
  // 64.
  int max_open_files = 512;
  int store_spare_descriptors = 64;
  // Heap high-water mark: at it, health turns NOT_SERVING until the heap is
  // back under 90% of it. 0 turns the watch off. Default: 2 GiB.
  int max_memory_mib = 2048;
  // How often to look for tasks that became overdue and for personal data
  // past its retention. Default: 1 minute.
  absl::Duration overdue_sweep_interval = absl::Minutes(1);
  // Time source. Default (nullptr): the system clock. Must outlive the server.
  const Clock* clock = nullptr;
  Limits limits;
  // Transport limits (gRPC channel arguments).
  ConnectionLimits connection;
  TlsOptions tls;
  RateLimits rate_limits;
  // For tests and benchmarks: called with the gRPC server builder just
  // before the server starts (to add interceptors, say). Default: none.
  std::function<void(grpc::ServerBuilder&)> configure_builder;
  // For tests: changes the store's options just before it opens (e.g. to
  // put it on a file system that simulates power loss). Default: none.
  std::function<void(storage::StoreOptions&)> configure_store;
};

// The database's directory under `data_dir`: where the server opens it and
// where a backup is restored.
std::string DatabaseDir(const std::string& data_dir);

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
