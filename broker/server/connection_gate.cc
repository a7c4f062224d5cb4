#include "broker/server/connection_gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "broker/base/log.h"
#include "broker/service/call_credentials.h"

namespace dsr::broker {
namespace {

// How often connections gRPC closed are looked for while idle.
constexpr int kPruneMillis = 1000;

// "ipv4:192.0.2.1:5000" or "ipv6:[2001:db8::1]:5000", as gRPC names peers.
std::string PeerName(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return absl::StrCat("ipv4:", text, ":", ntohs(in->sin_port));
  }
  if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      // An IPv4 client of a dual-stack listener: named by its IPv4 address
      // (its /64 would be all zeros, shared by every IPv4 client).
      ::inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof(text));
      return absl::StrCat("ipv4:", text, ":", ntohs(in6->sin6_port));
    }
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    return absl::StrCat("ipv6:[", text, "]:", ntohs(in6->sin6_port));
  }
  return "unknown";
}

unsigned long InodeOf(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return 0;
  return static_cast<unsigned long>(st.st_ino);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConnectionGate>> ConnectionGate::Listen(
    const ConnectionGateOptions& options) {
  const std::string& listen = options.listen;
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size() ||
      listen.size() - colon - 1 > 5 ||
      !std::all_of(listen.begin() + colon + 1, listen.end(),
                   [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError(
        "listen must be HOST:PORT with a port from 0 to 65535 (0 picks a free one)");
  }
  absl::string_view host = absl::string_view(listen).substr(0, colon);
  if (absl::ConsumePrefix(&host, "[") && !absl::ConsumeSuffix(&host, "]")) {
    return absl::InvalidArgumentError("listen: an IPv6 host goes in brackets, [::1]:50051");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string host_text(host);
  const std::string port_text = std::to_string(port);
  if (int e = ::getaddrinfo(host_text.c_str(), port_text.c_str(), &hints, &found); e != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: cannot resolve host ", host_text, ": ", gai_strerror(e)));
  }
  // IPv4 first (a name such as localhost may also resolve to ::1); an IPv6
  // socket takes IPv4 too where the system allows.
  std::vector<addrinfo*> candidates;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) candidates.push_back(a);
  std::stable_partition(candidates.begin(), candidates.end(),
                        [](addrinfo* a) { return a->ai_family == AF_INET; });
  int fd = -1;
  std::string error = "no address";
  for (addrinfo* a : candidates) {
    if (fd >= 0) break;
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    const int on = 1, off = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, ": ", error));
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  const int bound_port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  const int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    ::close(fd);
    return absl::UnavailableError("cannot make an eventfd for the listener");
  }
  return std::unique_ptr<ConnectionGate>(
      new ConnectionGate(options, fd, wake, bound_port, listen.substr(0, colon)));
}

ConnectionGate::ConnectionGate(const ConnectionGateOptions& options, int listen_fd, int wake_fd,
                               int port, std::string host)
    : options_(options), listen_fd_(listen_fd), wake_fd_(wake_fd), port_(port), host_(host) {}

ConnectionGate::~ConnectionGate() {
  Stop();
  ::close(wake_fd_);
}

std::string ConnectionGate::address() const { return absl::StrCat(host_, ":", port_); }

void ConnectionGate::Start(
    std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor) {
  acceptor_ = std::move(acceptor);
  thread_ = std::thread([this] { AcceptLoop(); });
}

void ConnectionGate::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

int ConnectionGate::open_connections() {
  absl::MutexLock lock(&mu_);
  Prune();
  return static_cast<int>(open_.size());
}

uint64_t ConnectionGate::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

void ConnectionGate::Prune() {
  last_prune_ = absl::Now();
  auto gone = std::remove_if(open_.begin(), open_.end(), [](const Tracked& t) {
    return InodeOf(t.fd) != t.inode;  // closed, and perhaps reused for another file
  });
  for (auto it = gone; it != open_.end(); ++it) {
    auto count = per_address_.find(it->address);
    if (count != per_address_.end() && --count->second <= 0) per_address_.erase(count);
  }
  open_.erase(gone, open_.end());
}

bool ConnectionGate::Admit(int fd, const std::string& address, const std::string& ip) {
  // A descriptor's number is the lowest free one: near the file limit, the
  // process is near running out.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      static_cast<rlim_t>(fd) + options_.keep_free_descriptors >= limit.rlim_cur) {
    return false;
  }
  const int per_address_limit = options_.exempt_from_per_address.contains(ip)
                                    ? options_.max_connections
                                    : options_.max_per_address;
  if (static_cast<int>(open_.size()) >= options_.max_connections ||
      per_address_[address] >= per_address_limit) {
    // At a limit, closed connections may have freed room; looked for at most
    // every 100 ms, so that a flood of refused connects costs one fstat per
    // open connection no more often than that.
    const absl::Time now = absl::Now();
    if (now - last_prune_ >= absl::Milliseconds(100)) Prune();
    if (static_cast<int>(open_.size()) >= options_.max_connections) return false;
    if (per_address_[address] >= per_address_limit) return false;
  }
  // A descriptor number gRPC closed and accept reused: its old entry goes.
  for (Tracked& t : open_) {
    if (t.fd == fd) {
      if (--per_address_[t.address] <= 0) per_address_.erase(t.address);
      t = Tracked{fd, InodeOf(fd), address};
      ++per_address_[address];
      return true;
    }
  }
  open_.push_back(Tracked{fd, InodeOf(fd), address});
  ++per_address_[address];
  return true;
}

void ConnectionGate::AcceptLoop() {
  // A spare descriptor: when the process has none left, it is given up to
  // accept (and at once close) the connection waiting, so that the listener
  // does not spin on it.
  int spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  uint64_t refusals_logged = 0;
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, kPruneMillis);
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) break;
      if (ready == 0) Prune();
    }
    if (ready <= 0 || !(fds[0].revents & POLLIN)) continue;
    while (true) {
      sockaddr_storage peer{};
      socklen_t length = sizeof(peer);
      // Non-blocking and without Nagle's delay, as gRPC's own listener
      // leaves its connections.
      const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length,
                               SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) {
        if ((errno == EMFILE || errno == ENFILE) && spare >= 0) {
          ::close(spare);
          const int dropped = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (dropped >= 0) ::close(dropped);
          spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          absl::MutexLock lock(&mu_);
          ++refused_;
          continue;
        }
        break;  // EAGAIN, or an error the next poll retries
      }
      const std::string name = PeerName(peer);
      const std::string address = ClientAddress(name);
      const std::string ip = PeerIp(name);
      bool admitted;
      uint64_t refused;
      {
        absl::MutexLock lock(&mu_);
        admitted = Admit(fd, address, ip);
        if (!admitted) ++refused_;
        refused = refused_;
      }
      if (!admitted) {
        ::close(fd);
        // At most one line a power of two: a flood does not flood the log.
        if ((refused & (refused - 1)) == 0 && refused != refusals_logged) {
          refusals_logged = refused;
          LogError(absl::StrCat("refused ", refused,
                                " connections so far (too many in all, from one address, or "
                                "too few descriptors left)"));
        }
        continue;
      }
      if (peer.ss_family == AF_INET || peer.ss_family == AF_INET6) {
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      }
      grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters params;
      params.listener_fd = listen_fd_;
      params.fd = fd;
      acceptor_->HandleNewConnection(&params);
    }
  }
  if (spare >= 0) ::close(spare);
}

}  // namespace dsr::broker
