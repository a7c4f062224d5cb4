#include "broker/access/delayer.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

TEST(DelayerTest, WorkWaitsItsDelayThenRuns) {
  Delayer delayer;
  absl::Notification ran;
  const absl::Time start = absl::Now();
  delayer.After(absl::Milliseconds(50), "a", [&] { ran.Notify(); });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  EXPECT_EQ(delayer.pending(), 0u);
}

// Past its bounds (per key, and in all) work runs at once, on the calling
// thread: what waits is bounded whatever the flood.
TEST(DelayerTest, BoundedPerKeyAndInAll) {
  Delayer delayer(/*max_pending=*/5, /*max_per_key=*/2);
  std::atomic<int> ran{0};
  const auto count = [&] { ++ran; };
  delayer.After(absl::Hours(1), "a", count);
  EXPECT_FALSE(delayer.Full("a"));
  delayer.After(absl::Hours(1), "a", count);
  EXPECT_TRUE(delayer.Full("a"));
  EXPECT_FALSE(delayer.Full("b"));
  EXPECT_EQ(ran, 0);
  // Callers that raced past Full still wait, up to twice the bound...
  delayer.After(absl::Hours(1), "a", count);
  delayer.After(absl::Hours(1), "a", count);
  EXPECT_EQ(ran, 0);
  // ... and past that run at once.
  delayer.After(absl::Hours(1), "a", count);
  EXPECT_EQ(ran, 1);
  delayer.After(absl::Hours(1), "b", count);
  EXPECT_EQ(delayer.pending(), 5u);
  delayer.After(absl::Hours(1), "c", count);  // a sixth in all: at once
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(delayer.pending(), 5u);
  // Flush runs what waits now, and what comes later at once.
  delayer.Flush();
  EXPECT_EQ(ran, 7);
  EXPECT_EQ(delayer.pending(), 0u);
  EXPECT_FALSE(delayer.Full("a"));
  delayer.After(absl::Hours(1), "a", count);
  EXPECT_EQ(ran, 8);
}

}  // namespace
}  // namespace dsr::broker
