// A request fanning out to 1,000 holdings of a generated lineage: every
// holding gets exactly one task, and the server-side time is reported.

#include <algorithm>
#include <iostream>
#include <set>

#include "absl/time/clock.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

class FanoutTest : public RequestsTest {};

TEST_F(FanoutTest, ThousandHoldingsGetOneTaskEach) {
  // A ternary tree of 1,000 holdings across 10 actors, plus shortcuts that
  // make diamonds (each node i > 3 also derives from node i - 3's parent).
  constexpr int kHoldings = 1000;
  for (int a = 0; a < 10; ++a) AddActor("org-" + std::to_string(a));
  std::vector<std::string> names;
  for (int i = 0; i < kHoldings; ++i) {
    names.push_back(AddHolding("org-" + std::to_string(i % 10), "h-" + std::to_string(i)));
  }
  for (int i = 1; i < kHoldings; ++i) {
    ASSERT_OK(Link(names[i], names[(i - 1) / 3]));
    if (i > 3 && (i - 4) / 3 != (i - 1) / 3) {
      ASSERT_OK(Link(names[i], names[(i - 4) / 3]));
    }
  }

  std::vector<double> micros;
  for (int round = 0; round < 5; ++round) {
    const absl::Time start = absl::Now();
    dsr::v1::SubmitRequestResponse submitted = Submit({names[0]});
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    ASSERT_EQ(submitted.tasks_size(), kHoldings);
    std::set<std::string> holdings;
    for (const auto& t : submitted.tasks()) holdings.insert(t.holding());
    EXPECT_EQ(holdings.size(), static_cast<size_t>(kHoldings));
  }
  std::sort(micros.begin(), micros.end());
  std::cout << "SubmitRequest fanning out to " << kHoldings << " holdings, server side: median "
            << micros[micros.size() / 2] << " us\n";
  RecordProperty("submit_1000_median_us", std::to_string(micros[micros.size() / 2]));
  // Every holder's inbox got one event per request, numbered without gaps.
  std::vector<storage::v1::InboxEventRecord> events = InboxOf("org-3");
  ASSERT_EQ(events.size(), 5u * 100u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence(), i + 1);
}

}  // namespace
}  // namespace dsr::broker
