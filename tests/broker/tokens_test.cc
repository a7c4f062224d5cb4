#include "broker/base/tokens.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "broker/base/names.h"
#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

TEST(TokensTest, TokensArePrefixedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = NewToken(kActorTokenPrefix);
    EXPECT_TRUE(absl::StartsWith(token, kActorTokenPrefix));
    // 32 random bytes in unpadded base64url.
    EXPECT_EQ(token.size(), kActorTokenPrefix.size() + 43);
    EXPECT_TRUE(seen.insert(token).second);
  }
}

TEST(TokensTest, RandomIdsAreValidResourceIdsWithEnoughBits) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewRandomId(80);
    EXPECT_EQ(id.size(), 17u);  // a letter, then 16 characters of 5 bits
    EXPECT_TRUE(IsValidId(id)) << id;
  }
  EXPECT_EQ(NewRandomId(128).size(), 1u + 26u);
}

TEST(TokensTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(absl::BytesToHexString(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokensTest, DigestsEqualComparesWholeValue) {
  EXPECT_TRUE(DigestsEqual(Sha256("a"), Sha256("a")));
  EXPECT_FALSE(DigestsEqual(Sha256("a"), Sha256("b")));
  EXPECT_FALSE(DigestsEqual("abc", "ab"));
}

}  // namespace
}  // namespace dsr::broker
