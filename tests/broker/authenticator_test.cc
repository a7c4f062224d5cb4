#include "broker/authenticator.h"

#include "broker/tokens.h"
#include "tests/broker/registry_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

class AuthenticatorTest : public RegistryTest {
 protected:
  AuthenticatorTest() : auth_(store_.get(), Sha256("dsr_admin_root")) {}
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
