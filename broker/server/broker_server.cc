#include "broker/server/broker_server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/access/authenticator.h"
#include "broker/core/call_runner.h"
#include "broker/server/connection_gate.h"
#include "broker/service/admin_service.h"
#include "broker/service/audit_service.h"
#include "broker/service/inbox_service.h"
#include "broker/service/inbox_streams.h"
#include "broker/service/registry_service.h"
#include "broker/service/request_service.h"
#include "broker/service/unary_call.h"
#include "broker/service/verification_service.h"
#include "common/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"

namespace dsr::broker {

// Members are destroyed in reverse order: the core first (its pools run
// what was queued, which may pump the streams), then the gate and the gRPC
// server (shut down by then), then the services and streams.
struct BrokerServer::Parts {
  std::unique_ptr<UnaryCalls> calls;
  std::unique_ptr<RegistryGrpcService> registry_service;
  std::unique_ptr<AuditGrpcService> audit_service;
  std::unique_ptr<AdminGrpcService> admin_service;
  std::unique_ptr<RequestGrpcService> request_service;
  std::unique_ptr<InboxStreams> streams;
  std::unique_ptr<InboxGrpcService> inbox_service;
  std::unique_ptr<VerificationGrpcService> verification_service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<ConnectionGate> gate;
  std::string host;
  int port = 0;
  absl::Mutex shutdown_mu;
  bool shut_down ABSL_GUARDED_BY(shutdown_mu) = false;
  std::unique_ptr<BrokerCore> core;
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
  DSR_ASSIGN_OR_RETURN(gate_options.exempt_from_per_address,
                       ParseTrustedProxies(options.rate_limits.trusted_proxies));
  DSR_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionGate> gate, ConnectionGate::Listen(gate_options));
  DSR_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> transport,
                       TransportCredentials(options.tls));
  // Pages stop at half the largest message, so that one more item (a task
  // with a long path, a 1 MiB access report) still fits.
  BrokerCoreOptions core_options = options;
  core_options.limits.max_reply_bytes =
      static_cast<size_t>(options.connection.max_message_bytes) / 2;
  auto parts = std::make_unique<Parts>();
  parts->gate = std::move(gate);
  DSR_ASSIGN_OR_RETURN(parts->core, BrokerCore::Create(core_options));
  BrokerCore& core = *parts->core;
  parts->calls = std::make_unique<UnaryCalls>(&core.calls());
  parts->registry_service =
      std::make_unique<RegistryGrpcService>(&core.registry(), parts->calls.get());
  parts->audit_service = std::make_unique<AuditGrpcService>(&core.audit(), parts->calls.get());
  parts->admin_service = std::make_unique<AdminGrpcService>(&core.backups(), parts->calls.get());
  parts->request_service =
      std::make_unique<RequestGrpcService>(&core.requests(), parts->calls.get());
  parts->streams =
      std::make_unique<InboxStreams>(&core.inbox(), &core.inbox_log(), &core.read_pool(),
                                     &core.calls(), options.max_inbox_streams_per_actor);
  parts->inbox_service =
      std::make_unique<InboxGrpcService>(&core.inbox(), parts->streams.get(), parts->calls.get());
  parts->verification_service = std::make_unique<VerificationGrpcService>(
      &core.verifications(), &core.attestor(), parts->calls.get());
  // A stream opened with a rotated token ends.
  InboxStreams* streams = parts->streams.get();
  core.AddTokenRotatedListener(
      [streams](const std::string& actor_id) { streams->CloseActor(actor_id); });

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
  builder.RegisterService(parts->verification_service.get());
  if (options.configure_builder) options.configure_builder(builder);
  parts->server = builder.BuildAndStart();
  if (parts->server == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve on ", options.listen));
  }
  parts->gate->Start(std::move(acceptor));
  parts->port = parts->gate->port();
  parts->host = options.listen.substr(0, options.listen.rfind(':'));
  grpc::HealthCheckServiceInterface* health = parts->server->GetHealthCheckService();
  core.SetServingListener([health](bool serving) { health->SetServingStatus(serving); });
  core.StartBackground();
  return std::unique_ptr<BrokerServer>(new BrokerServer(std::move(parts)));
}

int BrokerServer::port() const { return parts_->port; }

bool BrokerServer::NeedsRestart() const { return parts_->core->NeedsRestart(); }

storage::StoreStats BrokerServer::store_stats() const { return parts_->core->store().Stats(); }

size_t BrokerServer::late_refusals() const { return parts_->core->calls().late_refusals(); }

BrokerCore& BrokerServer::core() { return *parts_->core; }

std::string BrokerServer::address() const { return absl::StrCat(parts_->host, ":", parts_->port); }

const std::string& BrokerServer::admin_token_file() const {
  return parts_->core->admin_token_file();
}

bool BrokerServer::admin_token_created() const { return parts_->core->admin_token_created(); }

void BrokerServer::Shutdown(absl::Duration grace) {
  absl::MutexLock lock(&parts_->shutdown_mu);
  if (parts_->shut_down) return;
  parts_->shut_down = true;
  // gRPC's own graceful shutdown also waits for idle client connections to
  // go away, which may take the whole grace period. Drain our calls instead
  // (the core refuses new ones with UNAVAILABLE and turns health
  // NOT_SERVING), then give the last refusals a moment to reach their
  // clients and close: a call still pending after that is cancelled.
  parts_->core->StopServing();
  parts_->streams->CloseAll();
  parts_->core->Shutdown(grace);
  parts_->gate->Stop();
  parts_->server->Shutdown(absl::ToChronoTime(absl::Now() + kRefusalFlush));
  parts_->server->Wait();
}

}  // namespace dsr::broker
