#include "broker/base/executor.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

TEST(ExecutorTest, RunsEverythingScheduledBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    Executor executor(3);
    for (int i = 0; i < 1000; ++i) executor.Schedule([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(ExecutorTest, WorkRunsConcurrently) {
  Executor executor(2);
  absl::Notification first_started, second_ran;
  executor.Schedule([&] {
    first_started.Notify();
    // Only finishes if another thread runs the second task meanwhile.
    EXPECT_TRUE(second_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  });
  first_started.WaitForNotification();
  executor.Schedule([&] { second_ran.Notify(); });
}

}  // namespace
}  // namespace dsr::broker
