// Work per call is bounded whatever the lineage's shape (issue 13, item 2):
// a deep chain, a wide star, a chain hung under a popular dataset, huge
// access reports, and a late link over many standing requests. Limits are
// scaled down so that each shape is cheap to build; the mechanisms are the
// production ones.

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/inbox/inbox.h"
#include "broker/requests/late_links.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

class ShapesTest : public RequestsTest {
 protected:
  ShapesTest() {
    limits_.max_tasks_per_request = 3000;
    limits_.max_routing_depth = 1500;
    limits_.max_reply_bytes = 64 << 10;
    limits_.max_late_tasks_per_commit = 50;
    limits_.max_report_entries = 100;
    limits_.max_lineage_holdings = 3000;
    ApplyLimits();
    AddActor("acme");
  }
  // Reopens the registry, requests and inbox with `limits_` as they are now.
  void ApplyLimits() { ReopenAll(); }
  std::string Name(const std::string& id) { return "actors/acme/holdings/" + id; }
  // A chain under `top`, `n` holdings long; returns the bottom.
  std::string Chain(const std::string& top, const std::string& prefix, int n) {
    std::string above = top;
    for (int i = 0; i < n; ++i) {
      const std::string h = AddHolding("acme", absl::StrCat(prefix, "-", i));
      EXPECT_OK(Link(h, above));
      above = h;
    }
    return above;
  }
  absl::StatusOr<dsr::v1::SubmitRequestResponse> TrySubmit(const std::string& target,
                                                           dsr::v1::RequestType type) {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(type);
    dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
    id->set_value("victim@example.com");
    request.mutable_request()->add_targets(target);
    dsr::v1::SubmitRequestResponse response;
    DSR_RETURN_IF_ERROR(requests_->Submit(Principal::Anonymous(), request, &response));
    return response;
  }
  // Every task of a request, page by page; each page checked against the
  // reply's budget (one item past it at most).
  std::vector<dsr::v1::Task> AllTasks(const std::string& name, size_t largest_task) {
    std::vector<dsr::v1::Task> all;
    dsr::v1::GetRequestRequest get;
    get.set_name(name);
    do {
      dsr::v1::GetRequestResponse page;
      EXPECT_OK(requests_->Get(admin_, get, &page));
      EXPECT_LE(page.ByteSizeLong(), limits_.max_reply_bytes + largest_task);
      EXPECT_GT(page.tasks_size(), 0);
      all.insert(all.end(), page.tasks().begin(), page.tasks().end());
      get.set_page_token(page.next_page_token());
    } while (!get.page_token().empty() && !::testing::Test::HasFailure());
    return all;
  }
  // Bytes the tasks of a request take in the store.
  size_t StoredTaskBytes(const std::string& request_name) {
    size_t bytes = 0;
    EXPECT_OK(store_->Scan(storage::ColumnFamily::kTasks,
                           storage::keys::TasksOf(request_name.substr(9)), "",
                           [&](absl::string_view key, absl::string_view value) {
                             bytes += key.size() + value.size();
                             return true;
                           }));
    return bytes;
  }
  absl::Status CompleteAccess(const dsr::v1::Task& task, const dsr::v1::AccessReport& report) {
    dsr::v1::CompleteTaskRequest complete;
    complete.set_name(task.name());
    complete.set_outcome(dsr::v1::ACCESS_PROVIDED);
    *complete.mutable_access_report() = report;
    dsr::v1::Task done;
    return tasks_->Complete(Principal::Actor("acme"), complete, &done);
  }
};

TEST_F(ShapesTest, ADeepChainCostsLinearlyAndPagesItsPaths) {
  const std::string top = AddHolding("acme", "top");
  Chain(top, "c", 1199);
  absl::StatusOr<dsr::v1::SubmitRequestResponse> filed = TrySubmit(top, dsr::v1::ERASURE);
  ASSERT_OK(filed);
  EXPECT_EQ(filed->request().task_counts().open(), 1200);
  // Stored: a via per task, not a path. With a whole path per task, 1,200
  // tasks took over 30 MB.
  EXPECT_LT(StoredTaskBytes(filed->request().name()), 1200u * 400);
  // The receipt's reply stays within its budget however long the paths.
  const size_t largest_task = 1200 * 40 + 1024;
  EXPECT_LE(filed->ByteSizeLong(), limits_.max_reply_bytes + largest_task);
  EXPECT_FALSE(filed->next_page_token().empty());
  EXPECT_FALSE(filed->receipt_token().empty());
  std::vector<dsr::v1::Task> all = AllTasks(filed->request().name(), largest_task);
  ASSERT_EQ(all.size(), 1200u);
  for (size_t i = 0; i < all.size(); i += 97) {
    ASSERT_EQ(all[i].path_size(), static_cast<int>(i + 1));
    EXPECT_EQ(all[i].path(0), top);
    EXPECT_EQ(all[i].path(static_cast<int>(i)), all[i].holding());
  }
  // The holder sees the same path.
  dsr::v1::GetTaskRequest get;
  get.set_name(all[1199].name());
  dsr::v1::Task shown;
  ASSERT_OK(tasks_->GetTask(Principal::Actor("acme"), get, &shown));
  EXPECT_EQ(shown.path_size(), 1200);
}

TEST_F(ShapesTest, ARequestPastTheDepthOrHoldingLimitIsRefusedWithTheLimitNamed) {
  const std::string top = AddHolding("acme", "top");
  const std::string bottom = Chain(top, "c", 1600);
  absl::StatusOr<dsr::v1::SubmitRequestResponse> deep = TrySubmit(top, dsr::v1::ERASURE);
  EXPECT_CODE(deep.status(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(deep.status().message(), "longer than 1500 links"));
  // Lower down it fits; the holder at the bottom is reached.
  ASSERT_OK(TrySubmit(Name("c-200"), dsr::v1::ERASURE).status());
  (void)bottom;

  const std::string hub = AddHolding("acme", "hub");
  for (int i = 0; i < 3000; ++i) ASSERT_OK(Link(AddHolding("acme", absl::StrCat("leaf", i)), hub));
  absl::StatusOr<dsr::v1::SubmitRequestResponse> wide = TrySubmit(hub, dsr::v1::ERASURE);
  EXPECT_CODE(wide.status(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(wide.status().message(), "more than 3000 holdings"));
}

TEST_F(ShapesTest, AWideStarsLineageComesInPagesThatFit) {
  const std::string hub = AddHolding("acme", "hub");
  for (int i = 0; i < 2500; ++i) ASSERT_OK(Link(AddHolding("acme", absl::StrCat("leaf", i)), hub));
  // Every page of `hub`'s lineage, each within the budget; no node or link
  // twice.
  std::set<std::string> nodes, edges;
  bool truncated = false;
  const auto all_pages = [&] {
    nodes.clear();
    edges.clear();
    truncated = false;
    dsr::v1::GetLineageRequest get;
    get.set_holding(hub);
    int pages = 0;
    do {
      dsr::v1::GetLineageResponse page;
      EXPECT_OK(registry_->GetLineage(get, &page));
      EXPECT_LE(page.ByteSizeLong(), limits_.max_reply_bytes + 512);
      for (const auto& n : page.nodes()) EXPECT_TRUE(nodes.insert(n.holding()).second);
      for (const auto& e : page.edges()) EXPECT_TRUE(edges.insert(e.link()).second);
      if (pages > 0) {
        EXPECT_EQ(page.truncated(), truncated);
      }
      truncated = page.truncated();
      get.set_page_token(page.next_page_token());
      ++pages;
    } while (!get.page_token().empty() && pages < 1000);
    return pages;
  };
  EXPECT_GT(all_pages(), 3);
  EXPECT_EQ(nodes.size(), 2501u);
  EXPECT_EQ(edges.size(), 2500u);

  // A node joined by a great many links: its links span pages too.
  const std::string join = AddHolding("acme", "join");
  for (int i = 0; i < 2500; ++i) ASSERT_OK(Link(join, Name(absl::StrCat("leaf", i))));
  all_pages();
  EXPECT_EQ(nodes.size(), 2502u);
  EXPECT_EQ(edges.size(), 5000u);
  EXPECT_FALSE(truncated);

  // Past the walk's limit (3,000 holdings here) the rest is left out, with
  // no link to what was left out, and every page says so.
  for (int i = 2500; i < 3500; ++i) {
    ASSERT_OK(Link(AddHolding("acme", absl::StrCat("leaf", i)), hub));
  }
  all_pages();
  EXPECT_TRUE(truncated);
  EXPECT_EQ(nodes.size(), 3000u);
  EXPECT_EQ(nodes.count(join), 0u);  // one level deeper than the limit reached
  EXPECT_EQ(edges.size(), 2999u);
}

TEST_F(ShapesTest, AChainHungUnderAPopularDatasetDoesNotStopItsReceipts) {
  const std::string popular = AddHolding("acme", "popular");
  for (int i = 0; i < 20; ++i)
    ASSERT_OK(Link(AddHolding("acme", absl::StrCat("user", i)), popular));
  Chain(popular, "hung", 1000);
  absl::StatusOr<dsr::v1::SubmitRequestResponse> honest = TrySubmit(popular, dsr::v1::ERASURE);
  ASSERT_OK(honest);
  EXPECT_FALSE(honest->receipt_token().empty());
  EXPECT_LE(honest->ByteSizeLong(), limits_.max_reply_bytes + 1000 * 40 + 1024);
  EXPECT_EQ(AllTasks(honest->request().name(), 1000 * 40 + 1024).size(), 1021u);
}

TEST_F(ShapesTest, HugeAccessReportsComeOneOrTwoAPageAndMergeWithinBounds) {
  limits_.max_reply_bytes = 2 << 20;
  ApplyLimits();
  const std::string top = AddHolding("acme", "top");
  for (int i = 0; i < 5; ++i) ASSERT_OK(Link(AddHolding("acme", absl::StrCat("copy", i)), top));
  absl::StatusOr<dsr::v1::SubmitRequestResponse> access = TrySubmit(top, dsr::v1::ACCESS);
  ASSERT_OK(access);
  ASSERT_EQ(access->tasks_size(), 6);

  // More entries than a report may list is refused.
  dsr::v1::AccessReport flood;
  for (int i = 0; i < 101; ++i) flood.add_data_categories(absl::StrCat("category ", i));
  absl::Status refused = CompleteAccess(access->tasks(0), flood);
  EXPECT_CODE(refused, StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.message(), "access_report.data_categories"));

  // Six legitimate reports, each with a copy of nearly 1 MiB and its own
  // categories.
  for (int t = 0; t < 6; ++t) {
    dsr::v1::AccessReport report;
    report.mutable_inline_copy()->set_data(std::string((1 << 20) - 8192, 'a' + t));
    report.mutable_inline_copy()->set_media_type("application/octet-stream");
    for (int i = 0; i < 40; ++i) report.add_data_categories(absl::StrCat("c", t, "-", i));
    ASSERT_OK(CompleteAccess(access->tasks(t), report));
  }
  dsr::v1::GetAccessReportRequest get;
  get.set_name(access->request().name());
  int reports = 0, pages = 0;
  do {
    dsr::v1::GetAccessReportResponse page;
    ASSERT_OK(requests_->GetAccessReport(admin_, get, &page));
    EXPECT_LE(page.ByteSizeLong(), limits_.max_reply_bytes + (1 << 20) + 8192);
    if (pages == 0) {
      // 240 categories in all; the merge keeps 100 and says so.
      EXPECT_EQ(page.merged().data_categories_size(), 100);
      EXPECT_TRUE(page.merged_truncated());
      EXPECT_FALSE(page.merged().has_inline_copy());
    } else {
      EXPECT_FALSE(page.has_merged());
    }
    for (const auto& h : page.holder_reports()) {
      EXPECT_EQ(h.report().inline_copy().data().size(), (1u << 20) - 8192);
      EXPECT_EQ(h.report().inline_copy().data()[0], static_cast<char>('a' + reports));
      ++reports;
    }
    get.set_page_token(page.next_page_token());
    ++pages;
  } while (!get.page_token().empty());
  EXPECT_EQ(reports, 6);
  EXPECT_GE(pages, 2);
}

// A holder with more recipients than a report lists names the first and
// counts the rest, without walking them all; the merged report merges the
// first --max_merged_reports holders' reports and says it left the rest out.
TEST_F(ShapesTest, AWideHoldersReportAndTheMergeStayWithinTheirBounds) {
  limits_.max_merged_reports = 60;
  ApplyLimits();
  const std::string top = AddHolding("acme", "top");
  for (int i = 0; i < 150; ++i) ASSERT_OK(Link(AddHolding("acme", absl::StrCat("copy", i)), top));
  absl::StatusOr<dsr::v1::SubmitRequestResponse> access = TrySubmit(top, dsr::v1::ACCESS);
  ASSERT_OK(access);
  const std::vector<dsr::v1::Task> all = AllTasks(access->request().name(), 1024);
  ASSERT_EQ(all.size(), 151u);
  for (size_t t = 0; t < all.size(); ++t) {
    dsr::v1::AccessReport report;
    report.add_data_categories(absl::StrCat("c", t));
    ASSERT_OK(CompleteAccess(all[t], report));
  }
  dsr::v1::GetAccessReportRequest get;
  get.set_name(access->request().name());
  get.set_page_size(1);
  dsr::v1::GetAccessReportResponse first;
  ASSERT_OK(requests_->GetAccessReport(admin_, get, &first));
  ASSERT_EQ(first.holder_reports_size(), 1);
  const dsr::v1::AccessReport& of_top = first.holder_reports(0).report();
  EXPECT_EQ(first.holder_reports(0).holding(), top);
  ASSERT_EQ(of_top.recipients_size(), 101);  // max_report_entries, then the count
  EXPECT_EQ(of_top.recipients(100), "and 50 more holdings (GetLineage)");
  std::set<std::string> named(of_top.recipients().begin(), of_top.recipients().end() - 1);
  EXPECT_EQ(named.size(), 100u);
  // The merge: the first 60 holders' categories (the cap of 100 entries is
  // not what stopped it), and it says that it left some out.
  EXPECT_EQ(first.merged().data_categories_size(), 60);
  EXPECT_EQ(first.merged().data_categories(59), "c59");
  EXPECT_TRUE(first.merged_truncated());
}

TEST_F(ShapesTest, ALateLinkOverManyRequestsForwardsInBoundedCommits) {
  AddActor("beta");
  const std::string popular = AddHolding("acme", "popular");
  std::vector<std::string> filed;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<dsr::v1::SubmitRequestResponse> r = TrySubmit(popular, dsr::v1::ERASURE);
    ASSERT_OK(r);
    filed.push_back(r->request().name());
  }
  // Beta's copy has 29 holdings below it: 30 tasks per request.
  const std::string copy = AddHolding("beta", "copy");
  std::string above = copy;
  for (int i = 0; i < 29; ++i) {
    const std::string h = AddHolding("beta", absl::StrCat("below", i));
    ASSERT_OK(Link(h, above));
    above = h;
  }
  dsr::v1::CreateLinkRequest propose;
  propose.mutable_link()->set_child(copy);
  propose.mutable_link()->set_parent(popular);
  propose.mutable_link()->set_relation(dsr::v1::Link::COPY);
  dsr::v1::Link link;
  ASSERT_OK(registry_->CreateLink(Principal::Actor("beta"), propose, &link));
  dsr::v1::AcceptLinkRequest accept;
  accept.set_name(link.name());
  ASSERT_OK(registry_->AcceptLink(Principal::Actor("acme"), accept, &link));

  const auto task_counts = [&] {
    std::vector<int> counts;
    for (const std::string& name : filed) {
      dsr::v1::GetRequestRequest get;
      get.set_name(name);
      dsr::v1::GetRequestResponse read;
      EXPECT_OK(requests_->Get(admin_, get, &read));
      counts.push_back(read.request().task_counts().open());
    }
    std::sort(counts.begin(), counts.end());  // requests go in the order of their ids
    return counts;
  };
  // The call made two requests' worth (60 tasks reach the bound of 50).
  EXPECT_EQ(task_counts(), (std::vector<int>{1, 1, 1, 31, 31}));
  absl::StatusOr<bool> pending = store_->Contains(storage::ColumnFamily::kForwarding,
                                                  storage::keys::Link(link.name().substr(6)));
  ASSERT_OK(pending);
  EXPECT_TRUE(*pending);
  // A damaged pending record before it (its key does not parse) is given up,
  // and does not stop the forwarding after it.
  storage::WriteBatch damaged = store_->NewWriteBatch();
  damaged.PutEmpty(storage::ColumnFamily::kForwarding, std::string(1, '\x01'));
  ASSERT_OK(store_->Commit(damaged));
  LateLinkForwarder& forwarder = core_->forwarder();
  absl::StatusOr<int> steps = forwarder.Drain();
  ASSERT_OK(steps);
  EXPECT_EQ(*steps, 3);
  EXPECT_EQ(task_counts(), (std::vector<int>{31, 31, 31, 31, 31}));
  absl::StatusOr<bool> step = forwarder.Step();
  ASSERT_OK(step);
  EXPECT_FALSE(*step);
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

// A late link never takes a request past its depth limit, however often
// holdings are hung under the last one reached; every path stays readable.
class LateLinkDepthTest : public RequestsTest {
 protected:
  LateLinkDepthTest() {
    limits_.max_routing_depth = 6;
    ReopenAll();
    AddActor("acme");
  }
  std::string H(const std::string& id) { return "actors/acme/holdings/" + id; }
};

TEST_F(LateLinkDepthTest, HoldingsHungBelowTheLastOneReachedStopAtTheLimit) {
  AddHolding("acme", "c-0");
  for (int i = 1; i <= 5; ++i) {
    AddHolding("acme", "c-" + std::to_string(i));
    ASSERT_OK(Link(H("c-" + std::to_string(i)), H("c-" + std::to_string(i - 1))));
  }
  dsr::v1::SubmitRequestResponse erasure = Submit({H("c-0")});
  ASSERT_EQ(erasure.tasks_size(), 6);  // c-5 at depth 5
  // One at a time, each below the last: depth 6 is within the limit, 7 not.
  std::string above = H("c-5");
  for (int i = 1; i <= 3; ++i) {
    const std::string below = AddHolding("acme", "late-" + std::to_string(i));
    ASSERT_OK(Link(below, above));
    above = below;
  }
  dsr::v1::GetRequestRequest get;
  get.set_name(erasure.request().name());
  dsr::v1::GetRequestResponse read;
  ASSERT_OK(requests_->Get(admin_, get, &read));
  ASSERT_EQ(read.tasks_size(), 7);
  EXPECT_EQ(read.tasks(6).holding(), H("late-1"));
  EXPECT_EQ(read.tasks(6).path_size(), 7);  // c-0 ... c-5, late-1
}

}  // namespace
}  // namespace dsr::broker
