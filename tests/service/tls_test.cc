// TLS and mutual TLS with certificates from deploy/mint-certs.sh: tokens over
// TLS, organisations identified by their client certificate, plaintext and
// strangers' certificates turned away, and the start-up checks.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsr/v1/inbox_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/status_matchers.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Certificates minted once for the whole binary: a CA with the server and
// the actors acme and ghost (never registered), and a stranger CA with its
// own acme.
const std::string& Certs() {
  static const std::string* dir = [] {
    // Not a TempDir: those are named after the test and go with it.
    char pattern[] = "/tmp/dsr-tls-certs-XXXXXX";
    const std::string path = ::mkdtemp(pattern);
    const std::string script = std::string(DSR_SOURCE_DIR) + "/deploy/mint-certs.sh";
    const std::string mint = script + " " + path + "/ca acme ghost >/dev/null && " + script + " " +
                             path + "/stranger acme >/dev/null";
    EXPECT_EQ(std::system(mint.c_str()), 0) << mint;
    std::atexit([] { std::filesystem::remove_all(Certs()); });
    return new std::string(path);
  }();
  return *dir;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address, const std::string& ca,
                                       const std::string& client = "") {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read(Certs() + "/" + ca + "/ca.pem");
  if (!client.empty()) {
    ssl.pem_cert_chain = Read(Certs() + "/" + client + ".pem");
    ssl.pem_private_key = Read(Certs() + "/" + client + ".key");
  }
  return grpc::CreateChannel(address, grpc::SslCredentials(ssl));
}

void UseTls(broker::BrokerServerOptions& options) {
  options.tls.cert_file = Certs() + "/ca/server.pem";
  options.tls.key_file = Certs() + "/ca/server.key";
  options.tls.client_ca_file = Certs() + "/ca/ca.pem";
  options.tls.require_tls = true;
}

class TlsTest : public BrokerFixture {
 protected:
  TlsTest() : BrokerFixture(UseTls, [](const std::string& a) { return Connect(a, "ca"); }) {}
  static grpc::Status ListTasks(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& token = "") {
    auto inbox = dsr::v1::InboxService::NewStub(channel);
    dsr::v1::ListTasksResponse tasks;
    return inbox->ListTasks(Context(token).get(), dsr::v1::ListTasksRequest(), &tasks);
  }
};

TEST_F(TlsTest, TokensWorkOverTls) {
  // The fixture's helpers talk TLS without a client certificate.
  const std::string token = CreateActor("acme");
  EXPECT_TRUE(ListTasks(channel_, token).ok());
  EXPECT_EQ(ListTasks(channel_).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsTest, ClientCertificateIdentifiesTheOrganisation) {
  CreateActor("acme");
  EXPECT_TRUE(ListTasks(Connect(server_->address(), "ca", "ca/actors/acme")).ok());
  // A valid certificate for an actor the broker does not know.
  EXPECT_EQ(ListTasks(Connect(server_->address(), "ca", "ca/actors/ghost")).error_code(),
            StatusCode::UNAUTHENTICATED);
  // An actor with a certificate is still only itself: no admin methods.
  dsr::v1::CreateActorRequest create;
  create.set_actor_id("other");
  dsr::v1::CreateActorResponse created;
  auto registry =
      dsr::v1::RegistryService::NewStub(Connect(server_->address(), "ca", "ca/actors/acme"));
  EXPECT_EQ(registry->CreateActor(Context().get(), create, &created).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(TlsTest, PlaintextAndStrangersCannotConnect) {
  CreateActor("acme");
  auto plaintext = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  EXPECT_EQ(ListTasks(plaintext).error_code(), StatusCode::UNAVAILABLE);
  // A certificate from another CA fails the handshake.
  EXPECT_EQ(ListTasks(Connect(server_->address(), "ca", "stranger/actors/acme")).error_code(),
            StatusCode::UNAVAILABLE);
  // A client that does not trust the broker's CA refuses it.
  EXPECT_EQ(ListTasks(Connect(server_->address(), "stranger")).error_code(),
            StatusCode::UNAVAILABLE);
}

TEST(TlsOptionsTest, StartRefusesPlaintextWhenTlsIsRequiredAndHalfConfigurations) {
  TempDir dir;
  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path();
  options.tls.require_tls = true;
  EXPECT_CODE(broker::BrokerServer::Start(options), absl::StatusCode::kFailedPrecondition);
  options.tls.require_tls = false;
  options.tls.client_ca_file = Certs() + "/ca/ca.pem";
  EXPECT_CODE(broker::BrokerServer::Start(options), absl::StatusCode::kInvalidArgument);
  options.tls.cert_file = Certs() + "/ca/server.pem";
  EXPECT_CODE(broker::BrokerServer::Start(options), absl::StatusCode::kInvalidArgument);
  options.tls.key_file = Certs() + "/ca/missing.key";
  EXPECT_CODE(broker::BrokerServer::Start(options), absl::StatusCode::kFailedPrecondition);
  options.tls.key_file = Certs() + "/ca/server.key";
  EXPECT_OK(broker::BrokerServer::Start(options));
}

}  // namespace
}  // namespace dsr::testing
