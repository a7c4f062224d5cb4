#include "broker/server/broker_server.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/access/admin_token.h"
#include "broker/access/authenticator.h"
#include "broker/audit/audit_log.h"
#include "broker/backups/backup_admin.h"
#include "broker/base/executor.h"
#include "broker/base/log.h"
#include "broker/inbox/inbox.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/lifecycle/overdue.h"
#include "broker/privacy/key_check.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/request_vault.h"
#include "broker/privacy/secret_file.h"
#include "broker/registry/registry.h"
#include "broker/requests/late_links.h"
#include "broker/requests/requests.h"
#include "broker/server/connection_gate.h"
#include "broker/server/memory_watch.h"
#include "broker/service/admin_service.h"
#include "broker/service/audit_service.h"
#include "broker/service/inbox_service.h"
#include "broker/service/inbox_streams.h"
#include "broker/service/registry_service.h"
#include "broker/service/request_service.h"
#include "broker/service/unary_call.h"
#include "common/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "storage/store.h"

namespace dsr::broker {

// Members are destroyed in reverse order: the gRPC server first (no more
// calls), then the worker pools (they run what was queued, which may use the
// services, the logic and the store), then the rest.
struct BrokerServer::Parts {
  SystemClock system_clock;
  std::string admin_token_file;
  bool admin_token_created = false;
  std::unique_ptr<RateLimiter> submits_per_address;
  std::unique_ptr<RateLimiter> submits_per_subject;
  std::unique_ptr<RateLimiter> failed_authentications;
  // Health is SERVING while the store can write and the heap is under its
  // high-water mark, until shutdown ends serving for good. Before the store:
  // its syncing thread, which tells the health listener, runs until the
  // store is destroyed.
  absl::Mutex health_mu;
  bool health_follows_store ABSL_GUARDED_BY(health_mu) = true;
  bool store_healthy ABSL_GUARDED_BY(health_mu) = true;
  bool memory_short ABSL_GUARDED_BY(health_mu) = false;
  void PublishHealth() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu) {
    if (!health_follows_store) return;
    server->GetHealthCheckService()->SetServingStatus(store_healthy && !memory_short);
  }
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<Pseudonyms> pseudonyms;
  std::unique_ptr<RequestVault> vault;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<NewLinkForwarding> link_forwarding;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<InboxLog> inbox;
  std::unique_ptr<Requests> requests;
  std::unique_ptr<Inbox> inbox_logic;
  std::unique_ptr<AuditLog> audit_log;
  std::unique_ptr<BackupAdmin> backup_admin;
  std::unique_ptr<Authenticator> authenticator;
  // Answers failed authentications late; before the calls, so it outlives
  // them (and runs what waits when it goes).
  std::unique_ptr<Delayer> delayer;
  std::unique_ptr<UnaryCalls> calls;
  std::unique_ptr<RegistryGrpcService> registry_service;
  std::unique_ptr<AuditGrpcService> audit_service;
  std::unique_ptr<AdminGrpcService> admin_service;
  std::unique_ptr<RequestGrpcService> request_service;
  std::unique_ptr<InboxStreams> streams;
  std::unique_ptr<InboxGrpcService> inbox_service;
  std::unique_ptr<Executor> read_pool;
  std::unique_ptr<Executor> write_pool;
  std::unique_ptr<OverdueSweeper> sweeper;
  std::unique_ptr<RetentionSweeper> retention;
  absl::Notification stop_sweeping;
  std::thread sweep_thread;
  // Goes on with late-link forwarding that a call left pending: at once when
  // kicked, and at every sweep (after a restart, say).
  std::unique_ptr<LateLinkForwarder> forwarder;
  absl::Mutex forward_mu;
  bool forward_kicked ABSL_GUARDED_BY(forward_mu) = false;
  bool forward_stopping ABSL_GUARDED_BY(forward_mu) = false;
  std::thread forward_thread;

  void KickForwarder() {
    absl::MutexLock lock(&forward_mu);
    forward_kicked = true;
  }
  std::unique_ptr<grpc::Server> server;
  // After the server: stopped before it goes.
  std::unique_ptr<ConnectionGate> gate;
  std::unique_ptr<MemoryWatch> memory_watch;
  std::string host;
  int port = 0;
  absl::Mutex shutdown_mu;
  bool shut_down ABSL_GUARDED_BY(shutdown_mu) = false;
};

namespace {

// How long refusals sent while draining get to reach their clients.
constexpr absl::Duration kRefusalFlush = absl::Milliseconds(250);

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in || contents.str().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " ", path));
  }
  return contents.str();
}

// Plaintext, TLS or mutual TLS, as the options say.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TransportCredentials(
    const TlsOptions& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("tls_cert and tls_key go together");
  }
  if (tls.cert_file.empty()) {
    if (tls.require_tls) {
      return absl::FailedPreconditionError(
          "require_tls is set: refusing to serve plaintext without tls_cert and tls_key");
    }
    if (!tls.client_ca_file.empty()) {
      return absl::InvalidArgumentError("client_ca needs tls_cert and tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  DSR_ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(tls.cert_file, "tls_cert"));
  DSR_ASSIGN_OR_RETURN(pair.private_key, ReadPem(tls.key_file, "tls_key"));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!tls.client_ca_file.empty()) {
    DSR_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(tls.client_ca_file, "client_ca"));
    // Clients without a certificate still connect (and use tokens); one that
    // presents a certificate must present a valid one.
    ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

std::string DatabaseDir(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "db").string();
}

BrokerServer::BrokerServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

BrokerServer::~BrokerServer() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<BrokerServer>> BrokerServer::Start(
    const BrokerServerOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("data_dir is required");
  // Listens first (a bad or taken address stops the start before the store
  // opens); connections wait in the backlog until the gate starts.
  ConnectionGateOptions gate_options;
  gate_options.listen = options.listen;
  gate_options.max_connections = options.connection.max_connections;
  gate_options.max_per_address = options.connection.max_connections_per_address;
  gate_options.keep_free_descriptors = options.connection.keep_free_descriptors;
  absl::flat_hash_set<std::string> trusted_proxies;
  for (const std::string& ip : options.rate_limits.trusted_proxies) {
    std::string key = CanonicalIp(ip);
    if (key.empty()) {
      return absl::InvalidArgumentError("trusted_proxies: each must be an IP address");
    }
    trusted_proxies.insert(std::move(key));
  }
  gate_options.exempt_from_per_address = trusted_proxies;
  DSR_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionGate> gate, ConnectionGate::Listen(gate_options));
  DSR_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> transport,
                       TransportCredentials(options.tls));
  // Pages stop at half the largest message, so that one more item (a task
  // with a long path, a 1 MiB access report) still fits.
  Limits limits = options.limits;
  limits.max_reply_bytes = static_cast<size_t>(options.connection.max_message_bytes) / 2;
  auto parts = std::make_unique<Parts>();
  parts->gate = std::move(gate);
  const Clock* clock = options.clock != nullptr ? options.clock : &parts->system_clock;
  const RateLimits& rates = options.rate_limits;
  parts->submits_per_address = std::make_unique<RateLimiter>(clock, rates.submits_per_address);
  parts->submits_per_subject = std::make_unique<RateLimiter>(clock, rates.submits_per_subject);
  parts->failed_authentications =
      std::make_unique<RateLimiter>(clock, rates.failed_authentications_per_address);

  parts->admin_token_file = options.admin_token_file.empty()
                                ? (std::filesystem::path(options.data_dir) / "admin_token").string()
                                : options.admin_token_file;
  DSR_ASSIGN_OR_RETURN(AdminToken admin, LoadOrCreateAdminToken(parts->admin_token_file));
  parts->admin_token_created = admin.created;

  storage::StoreOptions store_options;
  store_options.path = DatabaseDir(options.data_dir);
  store_options.block_cache_bytes = static_cast<size_t>(options.block_cache_mib) << 20;
  store_options.total_write_buffer_bytes = static_cast<size_t>(options.memtable_mib) << 20;
  store_options.max_open_files = options.max_open_files;
  store_options.reserved_descriptors = options.store_spare_descriptors;
  if (options.configure_store) options.configure_store(store_options);
  // Keys may be made only for a database that holds nothing encrypted yet.
  std::error_code ec;
  const bool new_database =
      !std::filesystem::exists(std::filesystem::path(store_options.path) / "CURRENT", ec);
  const auto in_data_dir = [&](const std::string& file, const char* name) {
    return file.empty() ? (std::filesystem::path(options.data_dir) / name).string() : file;
  };
  if (options.master_key_file.empty() || options.pepper_file.empty()) {
    LogInfo(
        "the master key or pepper file is in the data directory (the default): a copy of the "
        "directory then holds what decrypts it; keep them apart (--master_key_file, "
        "--pepper_file)");
  }
  DSR_ASSIGN_OR_RETURN(std::string master_key,
                       LoadOrCreateKeyFile(in_data_dir(options.master_key_file, "master_key"),
                                           "master key file", new_database));
  DSR_ASSIGN_OR_RETURN(
      std::string pepper,
      LoadOrCreateKeyFile(in_data_dir(options.pepper_file, "pepper"), "pepper file", new_database));
  DSR_ASSIGN_OR_RETURN(parts->store, storage::Store::Open(store_options));
  parts->pseudonyms = std::make_unique<Pseudonyms>(std::move(pepper));
  DSR_RETURN_IF_ERROR(VerifyOrRecordKeys(*parts->store, master_key, *parts->pseudonyms));
  parts->vault = std::make_unique<RequestVault>(parts->store.get(), std::move(master_key));
  DSR_ASSIGN_OR_RETURN(parts->journal, Journal::Open(parts->store.get(), clock));
  parts->inbox = std::make_unique<InboxLog>(parts->store.get());
  Parts* p = parts.get();
  parts->link_forwarding = std::make_unique<NewLinkForwarding>(parts->store.get(), limits);
  DSR_ASSIGN_OR_RETURN(parts->registry,
                       Registry::Create(RegistryOptions{
                           parts->store.get(), clock, parts->journal.get(), parts->inbox.get(),
                           limits, parts->link_forwarding.get(), [p] { p->KickForwarder(); },
                           [p](const std::string& actor_id) {
                             // A stream opened with the old token ends.
                             p->streams->CloseActor(actor_id);
                           }}));
  parts->forwarder =
      std::make_unique<LateLinkForwarder>(parts->store.get(), clock, parts->journal.get(),
                                          parts->inbox.get(), &parts->registry->graph(), limits);
  DSR_ASSIGN_OR_RETURN(
      parts->requests,
      Requests::Create(RequestsOptions{
          parts->store.get(), clock, parts->journal.get(), parts->inbox.get(),
          &parts->registry->graph(), parts->vault.get(), parts->pseudonyms.get(),
          parts->submits_per_address.get(), parts->submits_per_subject.get(), limits}));
  DSR_ASSIGN_OR_RETURN(parts->inbox_logic,
                       Inbox::Create(InboxOptions{parts->store.get(), clock, parts->journal.get(),
                                                  parts->inbox.get(), parts->vault.get(),
                                                  parts->pseudonyms.get(), limits}));
  parts->audit_log = std::make_unique<AuditLog>(parts->store.get(), parts->journal.get(), limits);
  DSR_ASSIGN_OR_RETURN(parts->backup_admin, BackupAdmin::Create(BackupAdminOptions{
                                                parts->store.get(), clock, parts->journal.get(),
                                                options.backup_dir, limits}));
  parts->authenticator = std::make_unique<Authenticator>(
      parts->store.get(), admin.digest, parts->failed_authentications.get(), trusted_proxies);
  parts->read_pool = std::make_unique<Executor>(options.read_threads);
  parts->write_pool = std::make_unique<Executor>(options.write_threads);
  parts->delayer = std::make_unique<Delayer>();
  parts->calls = std::make_unique<UnaryCalls>(
      parts->read_pool.get(), parts->write_pool.get(), parts->authenticator.get(),
      parts->store.get(), options.connection.max_calls_in_flight, parts->delayer.get(),
      options.rate_limits.failed_authentication_delay);
  parts->registry_service =
      std::make_unique<RegistryGrpcService>(parts->registry.get(), parts->calls.get());
  parts->audit_service =
      std::make_unique<AuditGrpcService>(parts->audit_log.get(), parts->calls.get());
  parts->admin_service =
      std::make_unique<AdminGrpcService>(parts->backup_admin.get(), parts->calls.get());
  parts->request_service =
      std::make_unique<RequestGrpcService>(parts->requests.get(), parts->calls.get());
  parts->streams = std::make_unique<InboxStreams>(
      parts->inbox_logic.get(), parts->inbox.get(), parts->read_pool.get(),
      parts->authenticator.get(), options.connection.max_inbox_streams_per_actor,
      parts->delayer.get(), options.rate_limits.failed_authentication_delay);
  parts->inbox_service = std::make_unique<InboxGrpcService>(
      parts->inbox_logic.get(), parts->streams.get(), parts->calls.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // The broker accepts connections itself and hands gRPC those it admits.
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor =
      builder.experimental().AddExternalConnectionAcceptor(
          grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD, transport);
  const ConnectionLimits& connection = options.connection;
  builder.SetMaxReceiveMessageSize(connection.max_message_bytes);
  builder.SetMaxSendMessageSize(connection.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, connection.max_concurrent_streams);
  // gRPC shares a port with whoever else binds it (SO_REUSEPORT) unless told
  // not to: two brokers on one port would each get some of the calls.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(connection.min_client_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_IDLE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(connection.max_connection_idle)));
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(connection.max_connection_age)));
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(connection.max_connection_age_grace)));
  // gRPC's own buffers (its transports read into this quota). It does not
  // bound the calls gRPC 1.51 makes for streams a client opens and resets
  // at once (CVE-2023-44487): the memory watch and a front proxy do
  // (docs/DESIGN.md, "Connections and floods").
  grpc::ResourceQuota quota("dsr-broker");
  quota.Resize(static_cast<size_t>(connection.grpc_memory_mib) << 20);
  builder.SetResourceQuota(quota);
  builder.RegisterService(parts->registry_service.get());
  builder.RegisterService(parts->audit_service.get());
  builder.RegisterService(parts->admin_service.get());
  builder.RegisterService(parts->request_service.get());
  builder.RegisterService(parts->inbox_service.get());
  if (options.configure_builder) options.configure_builder(builder);
  parts->server = builder.BuildAndStart();
  if (parts->server == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve on ", options.listen));
  }
  parts->gate->Start(std::move(acceptor));
  parts->port = parts->gate->port();
  parts->host = options.listen.substr(0, options.listen.rfind(':'));
  parts->sweeper = std::make_unique<OverdueSweeper>(parts->store.get(), clock, parts->journal.get(),
                                                    parts->inbox.get());
  parts->retention =
      std::make_unique<RetentionSweeper>(parts->store.get(), clock, parts->journal.get(),
                                         parts->inbox.get(), parts->vault.get(), options.retention);
  const absl::Duration interval = options.overdue_sweep_interval;
  parts->sweep_thread = std::thread([p, interval] {
    do {
      absl::StatusOr<int> announced = p->sweeper->Sweep();
      if (!announced.ok()) {
        LogError(absl::StrCat("overdue sweep: ", announced.status().ToString()));
      } else if (*announced > 0) {
        LogInfo(absl::StrCat("announced ", *announced, " overdue tasks"));
      }
      absl::StatusOr<int> purged = p->retention->Sweep();
      if (!purged.ok()) {
        LogError(absl::StrCat("retention sweep: ", purged.status().ToString()));
      } else if (*purged > 0) {
        LogInfo(absl::StrCat("purged the personal data of ", *purged, " requests"));
      }
    } while (!p->stop_sweeping.WaitForNotificationWithTimeout(interval));
  });
  parts->forward_thread = std::thread([p, interval] {
    while (true) {
      {
        absl::MutexLock lock(&p->forward_mu);
        const auto woken = [p]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->forward_mu) {
          return p->forward_kicked || p->forward_stopping;
        };
        p->forward_mu.AwaitWithTimeout(absl::Condition(&woken), interval);
        if (p->forward_stopping) return;
        p->forward_kicked = false;
      }
      // Shutdown does not wait for a long backlog: it goes on at the next start.
      absl::StatusOr<int> steps = p->forwarder->Drain([p] {
        absl::MutexLock lock(&p->forward_mu);
        return p->forward_stopping;
      });
      if (!steps.ok()) {
        LogError(absl::StrCat("late-link forwarding: ", steps.status().ToString()));
      } else if (*steps > 0) {
        LogInfo(absl::StrCat("late-link forwarding: ", *steps, " more commits"));
      }
    }
  });
  // A store that cannot write (a full disk) makes the broker NOT_SERVING
  // until it recovers; the inbox events that the failure held back become
  // deliverable then.
  parts->store->AddHealthListener([p](const absl::Status& health) {
    absl::MutexLock lock(&p->health_mu);
    if (!p->health_follows_store) return;
    if (health.ok()) {
      LogInfo("the store writes again");
      p->inbox->Recovered();
    } else {
      LogError(absl::StrCat("not serving: ", health.message()));
    }
    p->store_healthy = health.ok();
    p->PublishHealth();
  });
  {
    // The store is open and the graph loaded: ready (unless the store has
    // already failed, which the listener may have missed).
    absl::MutexLock lock(&parts->health_mu);
    parts->store_healthy = parts->store->health().ok();
    parts->PublishHealth();
  }
  parts->memory_watch = std::make_unique<MemoryWatch>(
      static_cast<size_t>(options.max_memory_mib) << 20, absl::Seconds(1), [p](bool over) {
        absl::MutexLock lock(&p->health_mu);
        if (over) {
          LogError(
              "not serving: the heap reached --max_memory_mib (a flood of calls or streams?); "
              "serving again once it is back under 90% of it");
        } else {
          LogInfo("the heap is back under its high-water mark");
        }
        p->memory_short = over;
        p->PublishHealth();
      });
  return std::unique_ptr<BrokerServer>(new BrokerServer(std::move(parts)));
}

int BrokerServer::port() const { return parts_->port; }

bool BrokerServer::NeedsRestart() const { return parts_->store->needs_reopen(); }

storage::StoreStats BrokerServer::store_stats() const { return parts_->store->Stats(); }

size_t BrokerServer::late_refusals() const { return parts_->delayer->pending(); }

std::string BrokerServer::address() const { return absl::StrCat(parts_->host, ":", parts_->port); }

const std::string& BrokerServer::admin_token_file() const { return parts_->admin_token_file; }

bool BrokerServer::admin_token_created() const { return parts_->admin_token_created; }

void BrokerServer::Shutdown(absl::Duration grace) {
  absl::MutexLock lock(&parts_->shutdown_mu);
  if (parts_->shut_down) return;
  parts_->shut_down = true;
  {
    absl::MutexLock health_lock(&parts_->health_mu);
    parts_->health_follows_store = false;
  }
  parts_->server->GetHealthCheckService()->SetServingStatus(false);
  // gRPC's own graceful shutdown also waits for idle client connections to
  // go away, which may take the whole grace period. Drain our calls instead
  // (new ones are refused with UNAVAILABLE), then give the last refusals a
  // moment to reach their clients and close: a call still pending after that
  // is cancelled.
  // Refusing starts at once; a sweep under way (a retention scrub may
  // compact for a while) finishes meanwhile, and no new one starts.
  parts_->stop_sweeping.Notify();
  // A backup can take minutes: stop it rather than wait (its call fails).
  parts_->backup_admin->Stop();
  parts_->streams->CloseAll();
  {
    absl::MutexLock forward_lock(&parts_->forward_mu);
    parts_->forward_stopping = true;
  }
  parts_->calls->Drain(grace);
  if (parts_->sweep_thread.joinable()) parts_->sweep_thread.join();
  if (parts_->forward_thread.joinable()) parts_->forward_thread.join();
  parts_->gate->Stop();
  parts_->delayer->Flush();  // late refusals go now: nothing may wait past the server
  parts_->server->Shutdown(absl::ToChronoTime(absl::Now() + kRefusalFlush));
  parts_->server->Wait();
  // No more writes come. Let the last syncs' callbacks (inbox notifications,
  // which hand work to the pools and the streams) run before those go away.
  parts_->store->AwaitDurable().IgnoreError();
}

}  // namespace dsr::broker
