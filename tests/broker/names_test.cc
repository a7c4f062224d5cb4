#include "broker/base/names.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

TEST(NamesTest, IdsFollowTheSlugRule) {
  EXPECT_TRUE(IsValidId("abc"));
  EXPECT_TRUE(IsValidId("a-1-b"));
  EXPECT_TRUE(IsValidId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId("ab"));
  EXPECT_FALSE(IsValidId("1abc"));
  EXPECT_FALSE(IsValidId("Abc"));
  EXPECT_FALSE(IsValidId("ab_c"));
  EXPECT_FALSE(IsValidId("ab/c"));
}

TEST(NamesTest, ParseAndFormatRoundTrip) {
  ASSERT_OK_AND_ASSIGN(std::string actor, ParseActorName(ActorName("acme"), "name"));
  EXPECT_EQ(actor, "acme");
  ASSERT_OK_AND_ASSIGN(HoldingName holding,
                       ParseHoldingName(FormatHoldingName("acme", "squad"), "name"));
  EXPECT_EQ(holding.actor_id, "acme");
  EXPECT_EQ(holding.holding_id, "squad");
  ASSERT_OK_AND_ASSIGN(std::string link, ParseLinkName(LinkName("k2x9"), "name"));
  EXPECT_EQ(link, "k2x9");
}

TEST(NamesTest, MalformedNamesNameTheField) {
  for (const char* bad :
       {"", "actors/", "actors/ab", "actor/acme", "actors/acme/x", "actors/acme/holdings/squad"}) {
    absl::StatusOr<std::string> parsed = ParseActorName(bad, "parent");
    EXPECT_CODE(parsed, absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("parent"), absl::string_view::npos);
  }
  for (const char* bad : {"actors/acme", "actors/acme/holdings/", "actors/acme/holding/squad",
                          "actors/acme/holdings/squad/x", "actors/ACME/holdings/squad"}) {
    EXPECT_CODE(ParseHoldingName(bad, "name"), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_CODE(ParseLinkName("links/", "name"), absl::StatusCode::kInvalidArgument);
  EXPECT_CODE(ParseLinkName("links/A", "name"), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsr::broker
