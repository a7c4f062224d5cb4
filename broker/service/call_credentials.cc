#include "broker/service/call_credentials.h"

#include "absl/strings/match.h"
#include "grpc/grpc_security_constants.h"

namespace dsr::broker {

std::string ClientAddress(absl::string_view peer) {
  if (absl::StartsWith(peer, "ipv4:") || absl::StartsWith(peer, "ipv6:")) {
    const size_t colon = peer.rfind(':');
    const size_t bracket = peer.rfind(']');
    if (colon != absl::string_view::npos && colon > 4 &&
        (bracket == absl::string_view::npos || colon > bracket)) {
      return std::string(peer.substr(0, colon));
    }
  }
  return std::string(peer);
}

CallCredentials CredentialsOf(const grpc::ServerContextBase& context) {
  CallCredentials credentials;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    credentials.authorization = std::string(it->second.data(), it->second.size());
  }
  credentials.client_address = ClientAddress(context.peer());
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
