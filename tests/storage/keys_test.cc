#include "storage/keys.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace dsr::storage::keys {
namespace {

using namespace std::string_literals;

TEST(KeysTest, ComponentsRoundTripWhateverTheirBytes) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {""},
      {"", ""},
      {"acme"},
      {"acme", "squad"},
      {"a\0b"s, "\0"s, "\xff\x01"s, "\0\x01"s},
      {"hf:squad", "actors/acme/holdings/squad"},
  };
  for (const std::vector<std::string>& components : cases) {
    std::vector<absl::string_view> views(components.begin(), components.end());
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> decoded, Decode(Encode(views)));
    EXPECT_EQ(decoded, components);
  }
}

TEST(KeysTest, OrderFollowsComponentsNotConcatenation) {
  // Plain concatenation would sort ("ab","c") and ("a","bc") as equal, and
  // ("a","z") after ("ab","a"). Component order must win.
  std::vector<std::vector<std::string>> sorted = {{"a", "z"},  {"a\0"s, "a"}, {"ab", "a"},
                                                  {"ab", "c"}, {"abc", ""},   {"b", ""}};
  std::vector<std::string> keys;
  for (const auto& c : sorted) keys.push_back(Encode({c[0], c[1]}));
  std::vector<std::string> shuffled = keys;
  std::reverse(shuffled.begin(), shuffled.end());
  std::sort(shuffled.begin(), shuffled.end());
  EXPECT_EQ(shuffled, keys);
}

TEST(KeysTest, PrefixOfWholeComponentsIsAKeyPrefix) {
  const std::string holding = Holding("acme", "squad");
  EXPECT_EQ(holding.rfind(HoldingsOf("acme"), 0), 0u);
  // An actor whose id extends another's does not fall under its prefix.
  EXPECT_NE(Holding("acme-labs", "squad").rfind(HoldingsOf("acme"), 0), 0u);
}

TEST(KeysTest, ParsersInvertBuilders) {
  ASSERT_OK_AND_ASSIGN(std::string actor, ParseActor(Actor("acme")));
  EXPECT_EQ(actor, "acme");
  ASSERT_OK_AND_ASSIGN(HoldingKey holding, ParseHolding(Holding("acme", "squad")));
  EXPECT_EQ(holding.actor_id, "acme");
  EXPECT_EQ(holding.holding_id, "squad");
  ASSERT_OK_AND_ASSIGN(std::string link, ParseLink(Link("abc123")));
  EXPECT_EQ(link, "abc123");
  ASSERT_OK_AND_ASSIGN(ExternalIdKey external,
                       ParseExternalId(ExternalId("doi:10.1/x\0y"s, "acme", "squad")));
  EXPECT_EQ(external.external_id, "doi:10.1/x\0y"s);
  EXPECT_EQ(external.actor_id, "acme");
  EXPECT_EQ(external.holding_id, "squad");
}

TEST(KeysTest, ParsersRefuseKeysOfAnotherShape) {
  EXPECT_CODE(ParseActor(Holding("acme", "squad")), absl::StatusCode::kInvalidArgument);
  EXPECT_CODE(ParseHolding(Actor("acme")), absl::StatusCode::kInvalidArgument);
  EXPECT_CODE(Decode("abc"), absl::StatusCode::kInvalidArgument);        // unterminated
  EXPECT_CODE(Decode("ab\0"s), absl::StatusCode::kInvalidArgument);      // cut escape
  EXPECT_CODE(Decode("ab\0\x05"s), absl::StatusCode::kInvalidArgument);  // bad escape
}

TEST(KeysTest, ExternalIdPrefixesSelectOneIdAndOneActor) {
  const std::string of_acme = ExternalIdsOfActor("hf:squad", "acme");
  EXPECT_EQ(ExternalId("hf:squad", "acme", "x").rfind(of_acme, 0), 0u);
  EXPECT_NE(ExternalId("hf:squad", "acme-2", "x").rfind(of_acme, 0), 0u);
  EXPECT_NE(ExternalId("hf:squad2", "acme", "x").rfind(of_acme, 0), 0u);
  EXPECT_EQ(ExternalId("hf:squad", "acme", "x").rfind(ExternalIdsEqualTo("hf:squad"), 0), 0u);
  EXPECT_NE(ExternalId("hf:squad2", "acme", "x").rfind(ExternalIdsEqualTo("hf:squad"), 0), 0u);
  // Index entries sort like the holdings they point to.
  EXPECT_LT(ExternalId("hf:squad", "acme", "x"), ExternalId("hf:squad", "acme-labs", "a"));
  EXPECT_LT(Holding("acme", "x"), Holding("acme-labs", "a"));
}

}  // namespace
}  // namespace dsr::storage::keys

namespace dsr::storage::keys {
namespace {

TEST(KeysTest, PrefixLastBoundsThePrefixOnly) {
  const std::string prefix = TasksOf("req");
  const std::string last = PrefixLast(prefix);
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{255}, ~uint64_t{0}}) {
    EXPECT_LT(Task("req", n), last) << n;
    EXPECT_GT(Task("req", n), prefix);
  }
  EXPECT_GT(Task("req0", 1), last);  // a longer id is another prefix
  EXPECT_GT(TasksOf("reqa"), last);
  EXPECT_LT(Task("rep", ~uint64_t{0}), prefix);
}

}  // namespace
}  // namespace dsr::storage::keys
