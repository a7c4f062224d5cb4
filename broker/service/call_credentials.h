#ifndef DSR_BROKER_SERVICE_CALL_CREDENTIALS_H_
#define DSR_BROKER_SERVICE_CALL_CREDENTIALS_H_

// What a gRPC call presents to identify its caller: the `authorization`
// metadata, the client's address, and, under mutual TLS, the actor named by
// the verified client certificate's URI subject alternative name
// `dsr:actors/{actor}`.

#include <string>

#include "absl/strings/string_view.h"
#include "broker/access/authenticator.h"
#include "grpcpp/server_context.h"

namespace dsr::broker {

// The URI SAN prefix that names an actor in a client certificate.
inline constexpr absl::string_view kActorUriPrefix = "dsr:actors/";

CallCredentials CredentialsOf(const grpc::ServerContextBase& context);

// The key of per-client limits: "ipv4:192.0.2.1:5000" -> "ipv4:192.0.2.1";
// IPv6 by its /64 network, "ipv6:[2001:db8::1]:5000" -> "ipv6:[2001:db8::]/64";
// other forms unchanged.
std::string ClientAddress(absl::string_view peer);

// The peer's IP address exactly, as CanonicalIp writes it:
// "ipv6:[2001:db8::1]:5000" -> "2001:db8::1"; empty for other forms.
std::string PeerIp(absl::string_view peer);

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_CALL_CREDENTIALS_H_
