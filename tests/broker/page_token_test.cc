#include "broker/base/page_token.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

TEST(PageTokenTest, RoundTripsForTheSameQueryOnly) {
  const std::string query = QueryFingerprint("ListHoldings", "filters");
  const std::string token = EncodePageToken(std::string("key\0with nul", 12), query);
  ASSERT_OK_AND_ASSIGN(std::string last_key, DecodePageToken(token, query));
  EXPECT_EQ(last_key, std::string("key\0with nul", 12));
  EXPECT_CODE(DecodePageToken(token, QueryFingerprint("ListHoldings", "other")),
              absl::StatusCode::kInvalidArgument);
  EXPECT_CODE(DecodePageToken(token, QueryFingerprint("ListActors", "filters")),
              absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPageAndGarbageIsRefused) {
  const std::string query = QueryFingerprint("ListActors", "");
  ASSERT_OK_AND_ASSIGN(std::string empty, DecodePageToken("", query));
  EXPECT_TRUE(empty.empty());
  EXPECT_CODE(DecodePageToken("%%%", query), absl::StatusCode::kInvalidArgument);
  EXPECT_CODE(DecodePageToken(absl::WebSafeBase64Escape("\xff\xff\xff"), query),
              absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, FingerprintsSeparateMethodFromFilters) {
  EXPECT_NE(QueryFingerprint("ab", "c"), QueryFingerprint("a", "bc"));
}

TEST(PageTokenTest, PageSizeDefaultsAndLimits) {
  Limits limits;
  EXPECT_EQ(*ResolvePageSize(0, limits), 100);
  EXPECT_EQ(*ResolvePageSize(1, limits), 1);
  EXPECT_EQ(*ResolvePageSize(1000, limits), 1000);
  EXPECT_CODE(ResolvePageSize(1001, limits), absl::StatusCode::kInvalidArgument);
  EXPECT_CODE(ResolvePageSize(-1, limits), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsr::broker
