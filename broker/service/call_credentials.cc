#include "broker/service/call_credentials.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"

namespace dsr::broker {

std::string ClientAddress(absl::string_view peer) {
  // An address (IPv4-mapped ones included): its key, IPv6 by its /64 (one
  // client commonly holds a whole /64).
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
  // Not an address after all: one key for whatever it is.
  return absl::StrCat(v4 ? "ipv4:" : "ipv6:", host);
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
