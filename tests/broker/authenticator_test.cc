#include "broker/access/authenticator.h"

#include "broker/base/tokens.h"
#include "tests/broker/registry_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

class AuthenticatorTest : public RegistryTest {
 protected:
  AuthenticatorTest() : auth_(store_, Sha256("dsr_admin_root")) {}
  absl::StatusOr<Principal> Header(const std::string& value) {
    absl::string_view view(value);
    return auth_.AuthenticateHeader(&view);
  }
  Authenticator auth_;
};

TEST_F(AuthenticatorTest, MapsEachCredentialToItsPrincipal) {
  const std::string token = AddActor("acme");
  ASSERT_OK_AND_ASSIGN(Principal anonymous, auth_.AuthenticateHeader(nullptr));
  EXPECT_TRUE(anonymous.is_anonymous());
  ASSERT_OK_AND_ASSIGN(Principal admin, Header("Bearer dsr_admin_root"));
  EXPECT_TRUE(admin.is_admin());
  ASSERT_OK_AND_ASSIGN(Principal actor, Header("bearer " + token));
  EXPECT_TRUE(actor.IsActor("acme"));
  EXPECT_EQ(actor.Label(), "actors/acme");
}

TEST_F(AuthenticatorTest, UnknownOrMalformedCredentialsAreUnauthenticated) {
  const std::string token = AddActor("acme");
  for (const std::string& value :
       {std::string("Bearer dsr_admin_wrong"), std::string("Bearer ") + token + "x",
        std::string("Basic abc"), std::string("Bearer "), std::string("Bearer"), token,
        std::string("Bearer dsr_actor_")}) {
    absl::StatusOr<Principal> principal = Header(value);
    EXPECT_CODE(principal, StatusCode::kUnauthenticated) << value;
    EXPECT_EQ(principal.status().message().find(token), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

CallCredentials Call(std::optional<std::string> authorization, std::string certificate_actor = "",
                     std::string address = "ipv4:192.0.2.1") {
  CallCredentials call;
  call.authorization = std::move(authorization);
  call.certificate_actor = std::move(certificate_actor);
  call.client_address = std::move(address);
  return call;
}

// A whole call: token first, then a client certificate, then anonymous; the
// client address travels with the principal.
TEST_F(AuthenticatorTest, TokenThenCertificateThenAnonymous) {
  const std::string acme = AddActor("acme");
  AddActor("beta");
  ASSERT_OK_AND_ASSIGN(Principal by_cert, auth_.Authenticate(Call(std::nullopt, "acme")));
  EXPECT_TRUE(by_cert.IsActor("acme"));
  EXPECT_EQ(by_cert.client_address(), "ipv4:192.0.2.1");
  // A token wins over the certificate, and a bad token does not fall back.
  ASSERT_OK_AND_ASSIGN(Principal by_token, auth_.Authenticate(Call("Bearer " + acme, "beta")));
  EXPECT_TRUE(by_token.IsActor("acme"));
  EXPECT_CODE(auth_.Authenticate(Call("Bearer dsr_actor_nope", "acme")),
              StatusCode::kUnauthenticated);
  // Certificates for unknown actors or malformed names identify no one.
  for (const char* name : {"ghost", "Acme", "acme/holdings/x", "a"}) {
    EXPECT_CODE(auth_.Authenticate(Call(std::nullopt, name)), StatusCode::kUnauthenticated) << name;
  }
  ASSERT_OK_AND_ASSIGN(Principal nobody, auth_.Authenticate(Call(std::nullopt)));
  EXPECT_TRUE(nobody.is_anonymous());
}

TEST_F(AuthenticatorTest, FailuresPerAddressAreLimitedGoodCredentialsNever) {
  RateLimiter failures(&clock_, RateLimit{/*per_second=*/0.5, /*burst=*/2});
  Authenticator limited(store_, Sha256("dsr_admin_root"), &failures);
  EXPECT_CODE(limited.Authenticate(Call("Bearer dsr_actor_x")), StatusCode::kUnauthenticated);
  EXPECT_CODE(limited.Authenticate(Call(std::nullopt, "ghost")), StatusCode::kUnauthenticated);
  // The address has used its allowance: one more failure is refused as such.
  absl::StatusOr<Principal> refused = limited.Authenticate(Call("Bearer dsr_actor_y"));
  EXPECT_CODE(refused, StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(),
            "too many failed authentications from this address; retry in 2 s");
  // A good credential from that address is never locked out.
  EXPECT_OK(limited.Authenticate(Call("Bearer dsr_admin_root")));
  EXPECT_OK(limited.Authenticate(Call(std::nullopt)));  // anonymous is not a guess
  EXPECT_CODE(limited.Authenticate(Call("Bearer dsr_actor_z", "", "ipv4:192.0.2.2")),
              StatusCode::kUnauthenticated);  // another address has its own allowance
  clock_.Advance(absl::Seconds(2));
  EXPECT_CODE(limited.Authenticate(Call("Bearer dsr_actor_x")), StatusCode::kUnauthenticated);
}

// Behind a trusted proxy the client is the address its x-forwarded-for names
// last; from anyone else the header is ignored, so a client cannot pick the
// address its limits are counted against.
TEST_F(AuthenticatorTest, OnlyTrustedProxiesNameTheClient) {
  Authenticator behind(store_, Sha256("dsr_admin_root"), nullptr, {"127.0.0.1", "2001:db8::5"});
  // A call from `peer` (an IP address) with the header given.
  auto forwarded = [](const std::string& peer, std::string header) {
    CallCredentials call = Call(std::nullopt, "", ClientAddressOfIp(peer));
    call.peer_ip = CanonicalIp(peer);
    call.forwarded_for = std::move(header);
    return call;
  };
  EXPECT_EQ(behind.ClientAddressOf(forwarded("127.0.0.1", "198.51.100.7")), "ipv4:198.51.100.7");
  // A client's own header is kept by appending proxies: the last entry is the
  // proxy's word.
  EXPECT_EQ(behind.ClientAddressOf(forwarded("127.0.0.1", "10.9.9.9, 198.51.100.7")),
            "ipv4:198.51.100.7");
  EXPECT_EQ(behind.ClientAddressOf(forwarded("127.0.0.1", " 2001:db8:1:2:3::9 ")),
            "ipv6:[2001:db8:1:2::]/64");
  // An IPv4 client written IPv4-mapped is its IPv4 address, not the /64 of
  // every IPv4 client.
  EXPECT_EQ(behind.ClientAddressOf(forwarded("127.0.0.1", "::ffff:198.51.100.7")),
            "ipv4:198.51.100.7");
  // Not an address, or no header: the proxy's own address.
  EXPECT_EQ(behind.ClientAddressOf(forwarded("127.0.0.1", "unknown")), "ipv4:127.0.0.1");
  EXPECT_EQ(behind.ClientAddressOf(Call(std::nullopt, "", "ipv4:127.0.0.1")), "ipv4:127.0.0.1");
  // From an untrusted peer the header changes nothing: not even from the
  // trusted IPv6 proxy's /64 neighbour.
  EXPECT_EQ(behind.ClientAddressOf(forwarded("192.0.2.1", "198.51.100.7")), "ipv4:192.0.2.1");
  EXPECT_EQ(behind.ClientAddressOf(forwarded("2001:db8::5", "198.51.100.7")), "ipv4:198.51.100.7");
  EXPECT_EQ(behind.ClientAddressOf(forwarded("2001:db8::6", "198.51.100.7")),
            "ipv6:[2001:db8::]/64");
  EXPECT_EQ(auth_.ClientAddressOf(forwarded("127.0.0.1", "198.51.100.7")), "ipv4:127.0.0.1");
  // The principal carries the forwarded address.
  ASSERT_OK_AND_ASSIGN(Principal someone,
                       behind.Authenticate(forwarded("127.0.0.1", "198.51.100.7")));
  EXPECT_EQ(someone.client_address(), "ipv4:198.51.100.7");
}

TEST(CanonicalIpTest, OneSpellingPerAddress) {
  EXPECT_EQ(CanonicalIp("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(CanonicalIp("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(CanonicalIp("[2001:DB8:0::1]"), "2001:db8::1");
  EXPECT_EQ(CanonicalIp("proxy.example"), "");
  EXPECT_EQ(CanonicalIp(""), "");
  EXPECT_EQ(ClientAddressOfIp("::ffff:192.0.2.1"), "ipv4:192.0.2.1");
}

}  // namespace
}  // namespace dsr::broker
