#include "broker/access/rate_limiter.h"

#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

TEST(RateLimiterTest, BurstThenRefillAtTheRateWithTheWaitInTheMessage) {
  testing::FakeClock clock;
  RateLimiter limiter(&clock, RateLimit{/*per_second=*/0.5, /*burst=*/3});
  for (int i = 0; i < 3; ++i) EXPECT_OK(limiter.Take("a", "slow down")) << i;
  absl::Status refused = limiter.Take("a", "slow down");
  EXPECT_CODE(refused, absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.message(), "slow down; retry in 2 s");
  EXPECT_OK(limiter.Take("b", "slow down"));  // other keys have their own bucket
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(limiter.Take("a", "slow down").message(), "slow down; retry in 1 s");
  clock.Advance(absl::Seconds(1));
  EXPECT_OK(limiter.Take("a", "slow down"));
  EXPECT_CODE(limiter.Take("a", "slow down"), absl::StatusCode::kResourceExhausted);
  // Refills stop at the burst.
  clock.Advance(absl::Hours(1));
  for (int i = 0; i < 3; ++i) EXPECT_OK(limiter.Take("a", "x"));
  EXPECT_CODE(limiter.Take("a", "x"), absl::StatusCode::kResourceExhausted);
}

TEST(RateLimiterTest, TakeAllTakesFromEveryBucketOrNone) {
  testing::FakeClock clock;
  RateLimiter limiter(&clock, RateLimit{1, 1});
  EXPECT_OK(limiter.Take("a", "x"));
  EXPECT_CODE(limiter.TakeAll({"a", "b"}, "x"), absl::StatusCode::kResourceExhausted);
  EXPECT_OK(limiter.Take("b", "x"));  // b was not charged by the refusal
  clock.Advance(absl::Seconds(1));
  EXPECT_OK(limiter.TakeAll({"a", "b", "a"}, "x"));  // a key twice counts once
}

TEST(RateLimiterTest, CheckDoesNotTakeAndZeroRateIsOff) {
  testing::FakeClock clock;
  RateLimiter limiter(&clock, RateLimit{1, 1});
  EXPECT_OK(limiter.Check("a", "x"));
  EXPECT_OK(limiter.Check("a", "x"));
  EXPECT_OK(limiter.Take("a", "x"));
  EXPECT_CODE(limiter.Check("a", "x"), absl::StatusCode::kResourceExhausted);
  RateLimiter off(&clock, RateLimit{0, 1});
  for (int i = 0; i < 100; ++i) EXPECT_OK(off.Take("a", "x"));
}

TEST(RateLimiterTest, MemoryStaysBoundedAndRecentKeysKeepTheirState) {
  testing::FakeClock clock;
  RateLimiter limiter(&clock, RateLimit{1, 1}, /*max_keys=*/100);
  for (int i = 0; i < 10000; ++i) {
    clock.Advance(absl::Milliseconds(1));
    EXPECT_OK(limiter.Take("key" + std::to_string(i), "x"));
    ASSERT_LE(limiter.tracked_keys(), 100);
  }
  // The most recent key is still empty: pruning dropped old ones only.
  EXPECT_CODE(limiter.Take("key9999", "x"), absl::StatusCode::kResourceExhausted);
}

// Filling the table with new keys must not give a limited client a fresh
// bucket: the drained ones are forgotten last.
TEST(RateLimiterTest, PruningKeepsDrainedBuckets) {
  testing::FakeClock clock;
  RateLimiter limiter(&clock, RateLimit{/*per_second=*/0.001, /*burst=*/2}, /*max_keys=*/100);
  EXPECT_OK(limiter.Take("victim-of-limit", "x"));
  EXPECT_OK(limiter.Take("victim-of-limit", "x"));
  for (int i = 0; i < 5000; ++i) EXPECT_OK(limiter.Take("k" + std::to_string(i), "x"));
  EXPECT_CODE(limiter.Take("victim-of-limit", "x"), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace dsr::broker
