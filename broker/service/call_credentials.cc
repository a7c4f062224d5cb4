#include "broker/service/call_credentials.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"

namespace dsr::broker {

namespace {

// "[2001:db8::1]" or "%5B2001:db8::1%5D" -> its /64 network, "[2001:db8::]/64";
// unchanged if it does not parse.
std::string Ipv6Network(absl::string_view bracketed) {
  absl::string_view inner = bracketed;
  if (!absl::ConsumePrefix(&inner, "[") && !absl::ConsumePrefix(&inner, "%5B")) {
    return std::string(bracketed);
  }
  if (!absl::ConsumeSuffix(&inner, "]") && !absl::ConsumeSuffix(&inner, "%5D")) {
    return std::string(bracketed);
  }
  // A zone ("%25eth0") does not change the network.
  inner = inner.substr(0, inner.find('%'));
  unsigned char bytes[16];
  if (::inet_pton(AF_INET6, std::string(inner).c_str(), bytes) != 1) {
    return std::string(bracketed);
  }
  std::fill(bytes + 8, bytes + 16, 0);
  char text[INET6_ADDRSTRLEN];
  if (::inet_ntop(AF_INET6, bytes, text, sizeof(text)) == nullptr) {
    return std::string(bracketed);
  }
  return absl::StrCat("[", text, "]/64");
}

}  // namespace

std::string ClientAddress(absl::string_view peer) {
  // An address (IPv4-mapped ones included): its key.
  if (std::string key = ClientAddressOfIp(PeerIp(peer)); !key.empty()) return key;
  const bool v4 = absl::StartsWith(peer, "ipv4:");
  const bool v6 = absl::StartsWith(peer, "ipv6:");
  if (!v4 && !v6) return std::string(peer);
  absl::string_view host = peer.substr(5);
  const size_t colon = host.rfind(':');
  const size_t bracket = host.rfind(v6 && absl::StrContains(host, "%5D") ? '%' : ']');
  if (colon != absl::string_view::npos &&
      (v4 || (bracket != absl::string_view::npos && colon > bracket))) {
    host = host.substr(0, colon);
  }
  // One IPv6 client commonly holds a whole /64: limit it as one.
  return v4 ? absl::StrCat("ipv4:", host) : absl::StrCat("ipv6:", Ipv6Network(host));
}

absl::Status CheckGuessesWaiting(const CallCredentials& credentials, const std::string& address,
                                 const Delayer& delayer, absl::Duration failed_auth_delay) {
  if (!credentials.authorization.has_value() || !delayer.Full(address)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "too many failed authentications from this address are waiting for their answer; retry in ",
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(failed_auth_delay, absl::Seconds(1)))),
      " s"));
}

std::string PeerIp(absl::string_view peer) {
  absl::string_view host = peer;
  if (absl::ConsumePrefix(&host, "ipv4:")) {
    return CanonicalIp(host.substr(0, host.rfind(':')));
  }
  if (!absl::ConsumePrefix(&host, "ipv6:")) return "";
  if (absl::ConsumePrefix(&host, "[") || absl::ConsumePrefix(&host, "%5B")) {
    size_t end = host.find(']');
    if (end == absl::string_view::npos) end = host.find("%5D");
    if (end == absl::string_view::npos) return "";
    host = host.substr(0, end);
  }
  // A zone ("%25eth0") is not part of the address.
  return CanonicalIp(host.substr(0, host.find('%')));
}

CallCredentials CredentialsOf(const grpc::ServerContextBase& context) {
  CallCredentials credentials;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    credentials.authorization = std::string(it->second.data(), it->second.size());
  }
  credentials.client_address = ClientAddress(context.peer());
  credentials.peer_ip = PeerIp(context.peer());
  // Proxies that add a header line of their own rather than append to the
  // client's: the last line is the nearest proxy's.
  for (auto [it, end] = metadata.equal_range("x-forwarded-for"); it != end; ++it) {
    credentials.forwarded_for = std::string(it->second.data(), it->second.size());
  }
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const grpc::string_ref& uri : auth->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
      const absl::string_view value(uri.data(), uri.size());
      if (absl::StartsWith(value, kActorUriPrefix)) {
        credentials.certificate_actor = std::string(value.substr(kActorUriPrefix.size()));
        break;
      }
    }
  }
  return credentials;
}

}  // namespace dsr::broker
