// The gate in front of gRPC: addresses it refuses, and connections past its
// limits closed before anyone reads them, over real loopback sockets.

#include "broker/server/connection_gate.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/wait_for.h"

namespace dsr::broker {
namespace {

using ::dsr::testing::WaitFor;

// Keeps every connection handed over, as gRPC would while it is open.
class KeepingAcceptor final : public grpc::experimental::ExternalConnectionAcceptor {
 public:
  void HandleNewConnection(NewConnectionParameters* p) override {
    absl::MutexLock lock(&mu_);
    fds_.push_back(p->fd);
  }
  int count() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(fds_.size());
  }
  // Closes one, as gRPC does when a connection ends.
  void CloseOne() {
    absl::MutexLock lock(&mu_);
    ::close(fds_.back());
    fds_.pop_back();
  }
  ~KeepingAcceptor() override {
    for (int fd : fds_) ::close(fd);
  }

 private:
  absl::Mutex mu_;
  std::vector<int> fds_;
};

ConnectionGateOptions On(const std::string& listen) {
  ConnectionGateOptions options;
  options.listen = listen;
  return options;
}

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

// Over IPv6 loopback, ::1; -1 where the machine has no IPv6.
int Connect6(int port) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(port);
  addr.sin6_addr = in6addr_loopback;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the gate closed `fd` (the client reads end of file) within 5 s.
bool ClosedByPeer(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) != 1) return false;
  char byte;
  return ::recv(fd, &byte, 1, MSG_DONTWAIT) == 0;
}

TEST(ConnectionGateTest, RefusesAddressesThatAreNotHostAndPort) {
  for (const char* bad :
       {"127.0.0.1:99999", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:", "127.0.0.1", ":50051",
        "127.0.0.1:5o051", "[::1:50051", "127.0.0.1:000050051"}) {
    EXPECT_CODE(ConnectionGate::Listen(On(bad)).status(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  absl::StatusOr<std::unique_ptr<ConnectionGate>> gate = ConnectionGate::Listen(On("127.0.0.1:0"));
  ASSERT_OK(gate);
  EXPECT_GT((*gate)->port(), 0);
  EXPECT_EQ((*gate)->address(), "127.0.0.1:" + std::to_string((*gate)->port()));
  // Taken already.
  EXPECT_CODE(ConnectionGate::Listen(On((*gate)->address())).status(),
              absl::StatusCode::kUnavailable);
}

TEST(ConnectionGateTest, ClosesConnectionsPastTheLimitsAndAdmitsOnceOneEnds) {
  ConnectionGateOptions options = On("127.0.0.1:0");
  options.max_connections = 10;
  options.max_per_address = 3;
  options.keep_free_descriptors = 0;
  absl::StatusOr<std::unique_ptr<ConnectionGate>> made = ConnectionGate::Listen(options);
  ASSERT_OK(made);
  ConnectionGate& gate = **made;
  auto acceptor = std::make_unique<KeepingAcceptor>();
  KeepingAcceptor* kept = acceptor.get();
  gate.Start(std::move(acceptor));

  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(Connect(gate.port()));
  ASSERT_TRUE(WaitFor([&] { return kept->count() == 3; }));
  // A fourth from the same address is closed at once, never handed over.
  const int fourth = Connect(gate.port());
  EXPECT_TRUE(ClosedByPeer(fourth));
  EXPECT_EQ(kept->count(), 3);
  EXPECT_EQ(gate.refused(), 1u);
  EXPECT_EQ(gate.open_connections(), 3);

  // One ends: its place is free again.
  kept->CloseOne();
  EXPECT_EQ(gate.open_connections(), 2);
  const int fifth = Connect(gate.port());
  ASSERT_TRUE(WaitFor([&] { return kept->count() == 3; }));
  gate.Stop();
  for (int fd : clients) ::close(fd);
  ::close(fourth);
  ::close(fifth);
}

// A trusted proxy carries many clients' connections: only the limit in all
// applies to it.
TEST(ConnectionGateTest, ATrustedProxyIsHeldOnlyToTheLimitInAll) {
  ConnectionGateOptions options = On("127.0.0.1:0");
  options.max_connections = 5;
  options.max_per_address = 2;
  options.keep_free_descriptors = 0;
  options.exempt_from_per_address = {"127.0.0.1"};
  absl::StatusOr<std::unique_ptr<ConnectionGate>> made = ConnectionGate::Listen(options);
  ASSERT_OK(made);
  auto acceptor = std::make_unique<KeepingAcceptor>();
  KeepingAcceptor* kept = acceptor.get();
  (*made)->Start(std::move(acceptor));
  std::vector<int> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(Connect((*made)->port()));
  ASSERT_TRUE(WaitFor([&] { return kept->count() == 5; }));
  const int sixth = Connect((*made)->port());
  EXPECT_TRUE(ClosedByPeer(sixth));
  EXPECT_EQ((*made)->refused(), 1u);
  (*made)->Stop();
  for (int fd : clients) ::close(fd);
  ::close(sixth);
}

// On a dual-stack listener IPv4 clients arrive as ::ffff:a.b.c.d; each is
// counted by its IPv4 address, not under one all-zero IPv6 /64.
TEST(ConnectionGateTest, IPv4ClientsOfADualStackListenerAreCountedByTheirOwnAddress) {
  ConnectionGateOptions options = On("[::]:0");
  options.max_per_address = 2;
  options.keep_free_descriptors = 0;
  absl::StatusOr<std::unique_ptr<ConnectionGate>> made = ConnectionGate::Listen(options);
  if (!made.ok()) GTEST_SKIP() << "no IPv6 here: " << made.status();
  auto acceptor = std::make_unique<KeepingAcceptor>();
  KeepingAcceptor* kept = acceptor.get();
  (*made)->Start(std::move(acceptor));
  std::vector<int> clients = {Connect((*made)->port()), Connect((*made)->port())};
  ASSERT_TRUE(WaitFor([&] { return kept->count() == 2; }));
  // ::1 is another client than 127.0.0.1 (both would share "[::]/64" if
  // IPv4 clients were named by their mapped IPv6 address).
  const int six = Connect6((*made)->port());
  if (six < 0) GTEST_SKIP() << "no IPv6 loopback here";
  EXPECT_TRUE(WaitFor([&] { return kept->count() == 3; }));
  EXPECT_EQ((*made)->refused(), 0u);
  (*made)->Stop();
  for (int fd : clients) ::close(fd);
  ::close(six);
}

TEST(ConnectionGateTest, KeepsDescriptorsFreeBelowTheFileLimit) {
  ConnectionGateOptions options = On("127.0.0.1:0");
  // Every descriptor number is within this of any file limit this test runs under.
  options.keep_free_descriptors = 1 << 30;
  absl::StatusOr<std::unique_ptr<ConnectionGate>> made = ConnectionGate::Listen(options);
  ASSERT_OK(made);
  auto acceptor = std::make_unique<KeepingAcceptor>();
  KeepingAcceptor* kept = acceptor.get();
  (*made)->Start(std::move(acceptor));
  const int client = Connect((*made)->port());
  EXPECT_TRUE(ClosedByPeer(client));
  EXPECT_EQ(kept->count(), 0);
  (*made)->Stop();
  ::close(client);
}

}  // namespace
}  // namespace dsr::broker
