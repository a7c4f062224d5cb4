#include "broker/identity/identifiers.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using Type = dsr::v1::SubjectIdentifier;

struct Vector {
  dsr::v1::SubjectIdentifier::Type type;
  std::string in;
  std::string out;
};

TEST(IdentifiersTest, NormalisesTestVectors) {
  const std::vector<Vector> vectors = {
      {Type::EMAIL, "  Alice.Smith@Example.COM ", "alice.smith@example.com"},
      {Type::EMAIL, "bob@mail.example.org", "bob@mail.example.org"},
      {Type::URL, "HTTP://Example.COM:80/a/./b/../c", "http://example.com/a/c"},
      {Type::URL, "https://example.com:443", "https://example.com/"},
      {Type::URL, "https://example.com:8443/x", "https://example.com:8443/x"},
      {Type::URL, "https://example.com/%7euser/%2f%e2%82%ac?q=%41#Frag",
       "https://example.com/~user/%2F%E2%82%AC?q=A#Frag"},
      {Type::URL, "https://user@Example.com/../..", "https://user@example.com/"},
      // An escape in the host that decodes to a letter is lower-cased too.
      {Type::URL, "http://%41%62c.example/%41", "http://abc.example/A"},
      {Type::URL, "http://%c3%89t%C3%A9.example", "http://%C3%89t%C3%A9.example/"},
      {Type::URL, "HTTP://[2001:DB8::1]:80/", "http://[2001:db8::1]/"},
      {Type::USERNAME, " GitHub:OctoCat ", "github:octocat"},
      {Type::PHONE, "+33 (0)6-12.34.56.78", "+33612345678"},
      {Type::PHONE, "0044 20 7946 0958", "+442079460958"},
      {Type::PHONE, "+1 415 555 2671", "+14155552671"},
      {Type::NAME, "  Ada \t  Lovelace ", "Ada Lovelace"},
      {Type::OTHER, "employee  42", "employee 42"},
  };
  for (const Vector& v : vectors) {
    absl::StatusOr<std::string> out = NormalizeIdentifier(v.type, v.in, 512, "f");
    ASSERT_OK(out) << v.in;
    EXPECT_EQ(*out, v.out) << v.in;
  }
}

// An identifier type added to the API without a normaliser would be refused
// at submit as "unknown type"; this test names it first.
TEST(IdentifiersTest, EveryTypeIsNormalised) {
  const std::map<int, std::string> sample = {
      {Type::EMAIL, "a@example.com"},
      {Type::URL, "https://example.com/"},
      {Type::USERNAME, "github:a"},
      {Type::PHONE, "+33612345678"},
      {Type::NAME, "Ada"},
      {Type::OTHER, "42"},
  };
  const google::protobuf::EnumDescriptor* types = dsr::v1::SubjectIdentifier::Type_descriptor();
  for (int i = 0; i < types->value_count(); ++i) {
    const int type = types->value(i)->number();
    if (type == Type::TYPE_UNSPECIFIED) continue;
    auto it = sample.find(type);
    ASSERT_NE(it, sample.end()) << types->value(i)->name() << ": add a normaliser and a sample";
    EXPECT_OK(NormalizeIdentifier(static_cast<dsr::v1::SubjectIdentifier::Type>(type), it->second,
                                  512, "f"))
        << types->value(i)->name();
  }
}

TEST(IdentifiersTest, SamePersonTypedTwoWaysNormalisesAlike) {
  EXPECT_EQ(*NormalizeIdentifier(Type::URL, "HTTPS://EXAMPLE.com/u/%61lice", 512, "f"),
            *NormalizeIdentifier(Type::URL, "https://example.com:443/u/./alice", 512, "f"));
  EXPECT_EQ(*NormalizeIdentifier(Type::URL, "http://%45xample.com/", 512, "f"),
            *NormalizeIdentifier(Type::URL, "http://example.com/", 512, "f"));
  EXPECT_EQ(*NormalizeIdentifier(Type::PHONE, "0033 6 12 34 56 78", 512, "f"),
            *NormalizeIdentifier(Type::PHONE, "+33 (0)6 12 34 56 78", 512, "f"));
}

TEST(IdentifiersTest, RefusesBadValuesNamingTheFieldNotTheValue) {
  const std::vector<std::pair<dsr::v1::SubjectIdentifier::Type, std::string>> bad = {
      {Type::EMAIL, "alice-at-example.com"},
      {Type::EMAIL, "alice@@example.com"},
      {Type::EMAIL, "alice@example"},
      // Characters that could split a header or an SMTP command.
      {Type::EMAIL, "alice>,bob@example.com"},
      {Type::EMAIL, "\"alice;x\"@example.com"},
      {Type::URL, "example.com/alice"},
      {Type::URL, "https:///alice"},
      {Type::URL, "https://example.com/%zz"},
      {Type::URL, "https://example.com:8o/"},
      // A colon in a host that is not an IP literal.
      {Type::URL, "http://user:443.example.com:80/"},
      {Type::USERNAME, "octocat"},
      {Type::USERNAME, "github:"},
      {Type::PHONE, "06 12 34 56 78"},
      {Type::PHONE, "+12"},
      {Type::PHONE, "+1 415 555 CALL"},
      {Type::NAME, "   "},
      {Type::NAME, "Ada\x01Lovelace"},
      {Type::TYPE_UNSPECIFIED, "x"},
  };
  for (const auto& [type, value] : bad) {
    absl::StatusOr<std::string> out =
        NormalizeIdentifier(type, value, 512, "request.subject_identifiers[3].value");
    EXPECT_CODE(out, absl::StatusCode::kInvalidArgument) << value;
    EXPECT_NE(out.status().message().find("request.subject_identifiers[3]"), std::string::npos);
    if (value.size() > 3) {
      EXPECT_EQ(out.status().message().find(value), std::string::npos) << out.status();
    }
  }
}

TEST(IdentifiersTest, LengthLimitIsInclusive) {
  const std::string at_limit = std::string(500, 'a') + "@example.com";  // 512 bytes
  EXPECT_OK(NormalizeIdentifier(Type::EMAIL, at_limit, 512, "f"));
  EXPECT_CODE(NormalizeIdentifier(Type::EMAIL, "a" + at_limit, 512, "f"),
              absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsr::broker
