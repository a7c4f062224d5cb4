#include "broker/requests/deadlines.h"

#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

absl::Time At(const char* text) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &error)) << text << error;
  return t;
}

TEST(DeadlinesTest, OneCalendarMonthLater) {
  const std::vector<std::pair<const char*, const char*>> table = {
      {"2026-01-15T09:30:00Z", "2026-02-15T09:30:00Z"},
      {"2026-01-31T23:59:59Z", "2026-02-28T23:59:59Z"},          // no Feb 31
      {"2028-01-31T12:00:00Z", "2028-02-29T12:00:00Z"},          // leap year
      {"2028-02-29T08:00:00Z", "2028-03-29T08:00:00Z"},          // from a leap day
      {"2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z"},          // no Apr 31
      {"2026-12-31T18:45:10.250Z", "2027-01-31T18:45:10.250Z"},  // year end, sub-second
      {"2026-02-28T07:00:00Z", "2026-03-28T07:00:00Z"},
  };
  for (const auto& [created, due] : table) {
    EXPECT_EQ(DueTime(At(created), 0), At(due)) << created;
  }
}

TEST(DeadlinesTest, ExtensionsCountFromTheCreationDay) {
  // Created Jan 31: due Feb 28, extended by one month Mar 31 (not Mar 28).
  EXPECT_EQ(DueTime(At("2026-01-31T10:00:00Z"), 1), At("2026-03-31T10:00:00Z"));
  EXPECT_EQ(DueTime(At("2026-01-31T10:00:00Z"), 2), At("2026-04-30T10:00:00Z"));
  EXPECT_EQ(DueTime(At("2026-11-30T10:00:00Z"), 2), At("2027-02-28T10:00:00Z"));
}

}  // namespace
}  // namespace dsr::broker
