// Loads the real lineage graph of data/provenance/ through the API and
// checks lineage and cycle refusal on it.

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/registry/registry.h"
#include "broker/requests/requests.h"
#include "client/import_plan.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"
#include "tests/support/provenance_data.h"
#include "tests/support/status_matchers.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

// Runs `work(i)` for i in [0, n) on `threads` threads; returns how many failed.
int RunParallel(int n, int threads, const std::function<bool(int)>& work) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        if (!work(i)) ++failed;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  return failed.load();
}

// Descendants of `root` computed straight from graph.tsv, independently of
// the plan and of the broker.
std::set<std::string> DescendantsFromTsv(const std::string& root) {
  std::ifstream in(ProvenanceDir() + "/graph.tsv");
  absl::flat_hash_map<std::string, std::vector<std::string>> children;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (cells.size() >= 5) children[cells[4]].push_back(cells[0]);
  }
  std::set<std::string> seen;
  std::vector<std::string> stack = {root};
  while (!stack.empty()) {
    std::string node = stack.back();
    stack.pop_back();
    for (const std::string& child : children[node]) {
      if (seen.insert(child).second) stack.push_back(child);
    }
  }
  return seen;
}

class ProvenanceGraphTest : public BrokerFixture {
 protected:
  void LoadAll(const client::ImportPlan& plan) {
    const absl::Time start = absl::Now();
    int failed = RunParallel(static_cast<int>(plan.actors.size()), 4, [&](int i) {
      dsr::v1::CreateActorRequest request;
      request.set_actor_id(plan.actors[i].actor_id);
      request.mutable_actor()->set_display_name(plan.actors[i].display_name.substr(0, 256));
      request.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
      request.mutable_actor()->set_contact_email("privacy@" + plan.actors[i].actor_id + ".example");
      dsr::v1::CreateActorResponse response;
      grpc::Status s = registry_->CreateActor(AdminContext().get(), request, &response);
      if (!s.ok()) ADD_FAILURE() << plan.actors[i].actor_id << ": " << s.error_message();
      return s.ok();
    });
    ASSERT_EQ(failed, 0);
    failed = RunParallel(static_cast<int>(plan.holdings.size()), 4, [&](int i) {
      const client::PlannedHolding& h = plan.holdings[i];
      dsr::v1::CreateHoldingRequest request;
      request.set_parent("actors/" + h.actor_id);
      request.set_holding_id(h.holding_id);
      request.mutable_holding()->set_kind(h.kind);
      request.mutable_holding()->set_title(h.title.substr(0, 256));
      request.mutable_holding()->set_license(h.license.substr(0, 256));
      request.mutable_holding()->add_external_ids(h.node_id);
      dsr::v1::Holding holding;
      grpc::Status s = registry_->CreateHolding(AdminContext().get(), request, &holding);
      if (!s.ok()) ADD_FAILURE() << h.node_id << ": " << s.error_message();
      return s.ok();
    });
    ASSERT_EQ(failed, 0);
    failed = RunParallel(static_cast<int>(plan.links.size()), 4, [&](int i) {
      const client::PlannedLink& l = plan.links[i];
      dsr::v1::CreateLinkRequest request;
      request.mutable_link()->set_child(plan.holdings[l.child].name());
      request.mutable_link()->set_parent(plan.holdings[l.parent].name());
      request.mutable_link()->set_relation(l.relation);
      dsr::v1::Link link;
      grpc::Status s = registry_->CreateLink(AdminContext().get(), request, &link);
      if (!s.ok()) ADD_FAILURE() << "link " << i << ": " << s.error_message();
      return s.ok();
    });
    ASSERT_EQ(failed, 0);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    std::cout << "loaded " << plan.actors.size() << " actors, " << plan.holdings.size()
              << " holdings, " << plan.links.size() << " links in " << seconds << " s\n";
    RecordProperty("load_seconds", std::to_string(seconds));
  }
};

TEST_F(ProvenanceGraphTest, WikipediaReaches119DescendantsAndCyclesAreRefused) {
  ASSERT_OK_AND_ASSIGN(client::ImportPlan plan, client::PlanImport(ProvenanceDir() + "/nodes.tsv",
                                                                   ProvenanceDir() + "/graph.tsv"));
  ASSERT_TRUE(plan.problems.empty());
  ASSERT_EQ(plan.links.size(), 3531u);
  ASSERT_NO_FATAL_FAILURE(LoadAll(plan));

  // Find the holding by its external id, as a client would.
  dsr::v1::ListHoldingsRequest find;
  find.set_parent("actors/-");
  find.set_external_id("name:wikipedia");
  dsr::v1::ListHoldingsResponse found;
  ASSERT_TRUE(registry_->ListHoldings(Context().get(), find, &found).ok());
  ASSERT_EQ(found.holdings_size(), 1);
  const std::string wikipedia = found.holdings(0).name();
  EXPECT_EQ(wikipedia.rfind(std::string("actors/") + client::kUnknownHolderActor + "/", 0), 0u);

  dsr::v1::GetLineageRequest request;
  request.set_holding(wikipedia);
  request.set_direction(dsr::v1::DOWNSTREAM);
  dsr::v1::GetLineageResponse lineage;
  ASSERT_TRUE(registry_->GetLineage(Context().get(), request, &lineage).ok());
  std::set<std::string> reached;
  for (int i = 1; i < lineage.nodes_size(); ++i) reached.insert(lineage.nodes(i).holding());
  EXPECT_EQ(lineage.nodes(0).holding(), wikipedia);
  EXPECT_EQ(reached.size(), static_cast<size_t>(lineage.nodes_size() - 1)) << "a node twice";

  std::set<std::string> expected;
  for (const std::string& node : DescendantsFromTsv("name:wikipedia")) {
    expected.insert(plan.holdings[plan.HoldingOf(node)].name());
  }
  EXPECT_EQ(expected.size(), 119u);
  EXPECT_EQ(reached, expected);

  // An erasure filed on Wikipedia reaches exactly those holdings, once each.
  auto requests = dsr::v1::RequestService::NewStub(channel_);
  dsr::v1::SubmitRequestRequest erasure;
  erasure.mutable_request()->set_type(dsr::v1::ERASURE);
  auto* id = erasure.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::URL);
  id->set_value("https://en.wikipedia.org/wiki/User:Example");
  erasure.mutable_request()->add_targets(wikipedia);
  dsr::v1::SubmitRequestResponse submitted;
  grpc::Status submit = requests->SubmitRequest(Context().get(), erasure, &submitted);
  ASSERT_TRUE(submit.ok()) << submit.error_message();
  std::set<std::string> tasked;
  for (const auto& task : submitted.tasks()) tasked.insert(task.holding());
  EXPECT_EQ(submitted.tasks_size(), 120);
  std::set<std::string> expected_tasks = expected;
  expected_tasks.insert(wikipedia);
  EXPECT_EQ(tasked, expected_tasks);

  // Closing a loop from any descendant back to Wikipedia is refused.
  int deepest = 1;
  for (int i = 1; i < lineage.nodes_size(); ++i) {
    if (lineage.nodes(i).depth() > lineage.nodes(deepest).depth()) deepest = i;
  }
  EXPECT_GE(lineage.nodes(deepest).depth(), 2);
  EXPECT_EQ(CreateLink(kAdminToken, wikipedia, lineage.nodes(deepest).holding()).error_code(),
            StatusCode::FAILED_PRECONDITION);

  // Server-side time of the query: the domain call alone, on the core the
  // server served.
  broker::Registry* registry = &server_->core().registry();
  std::vector<double> micros;
  for (int i = 0; i < 200; ++i) {
    dsr::v1::GetLineageResponse response;
    const absl::Time start = absl::Now();
    ASSERT_OK(registry->GetLineage(request, &response));
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    ASSERT_EQ(response.nodes_size(), 120);
  }
  std::sort(micros.begin(), micros.end());
  std::cout << "GetLineage DOWNSTREAM name:wikipedia (120 nodes), server side: median "
            << micros[micros.size() / 2] << " us, p99 " << micros[micros.size() * 99 / 100]
            << " us\n";
  RecordProperty("lineage_median_us", std::to_string(micros[micros.size() / 2]));

  // Server-side time of SubmitRequest fanning out to the 120 holdings: the
  // domain call alone (its write applied; the sync that makes it durable is
  // the call runner's to wait for).
  broker::Requests* desk = &server_->core().requests();
  std::vector<double> submit_micros;
  for (int i = 0; i < 30; ++i) {
    dsr::v1::SubmitRequestResponse response;
    const absl::Time start = absl::Now();
    ASSERT_OK(desk->Submit(broker::Principal::Anonymous(), erasure, &response));
    submit_micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    ASSERT_EQ(response.tasks_size(), 120);
  }
  std::sort(submit_micros.begin(), submit_micros.end());
  std::cout << "SubmitRequest ERASURE name:wikipedia (120 tasks), server side: median "
            << submit_micros[submit_micros.size() / 2] << " us\n";
  RecordProperty("submit_120_median_us", std::to_string(submit_micros[submit_micros.size() / 2]));
}

}  // namespace
}  // namespace dsr::testing
