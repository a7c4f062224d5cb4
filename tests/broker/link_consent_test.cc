// Consented links (issue 13, item 1): a link from one organisation's holding
// to another's is a claim that waits for the parent's owner. Until accepted
// it forwards nothing and appears in no lineage; external ids cannot be
// squatted; quotas bound what one organisation may register.

#include "absl/strings/match.h"
#include "broker/inbox/inbox.h"
#include "broker/lifecycle/retention.h"
#include "broker/registry/registry_records.h"
#include "broker/requests/access_reports.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "tests/broker/requests_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;
using dsr::v1::InboxEvent;
using dsr::v1::Task;

constexpr absl::Duration kRetention = absl::Hours(24 * 180);

class LinkConsentTest : public RequestsTest {
 protected:
  LinkConsentTest() {
    AddActor("acme");
    AddActor("mallory");
    crawl_ = AddHolding("acme", "crawl");
    copy_ = AddHolding("mallory", "copy");
  }

  absl::StatusOr<dsr::v1::Link> Propose(const std::string& actor, const std::string& child,
                                        const std::string& parent) {
    dsr::v1::CreateLinkRequest request;
    request.mutable_link()->set_child(child);
    request.mutable_link()->set_parent(parent);
    request.mutable_link()->set_relation(dsr::v1::Link::COPY);
    dsr::v1::Link link;
    DSR_RETURN_IF_ERROR(registry_->CreateLink(Principal::Actor(actor), request, &link));
    return link;
  }
  absl::StatusOr<dsr::v1::Link> Decide(const std::string& actor, const std::string& name,
                                       bool accept) {
    dsr::v1::Link link;
    if (accept) {
      dsr::v1::AcceptLinkRequest request;
      request.set_name(name);
      DSR_RETURN_IF_ERROR(registry_->AcceptLink(Principal::Actor(actor), request, &link));
    } else {
      dsr::v1::RejectLinkRequest request;
      request.set_name(name);
      DSR_RETURN_IF_ERROR(registry_->RejectLink(Principal::Actor(actor), request, &link));
    }
    return link;
  }
  std::vector<Task> TasksOf(const dsr::v1::SubmitRequestResponse& submitted) {
    dsr::v1::GetRequestRequest get;
    get.set_name(submitted.request().name());
    dsr::v1::GetRequestResponse read;
    EXPECT_OK(requests_->Get(admin_, get, &read));
    return {read.tasks().begin(), read.tasks().end()};
  }
  absl::Status Answer(const Task& task, dsr::v1::Outcome outcome) {
    dsr::v1::CompleteTaskRequest complete;
    complete.set_name(task.name());
    complete.set_outcome(outcome);
    Task done;
    return tasks_->Complete(Principal::Actor(task.actor().substr(7)), complete, &done);
  }
  // The tasks that reached `actor`'s inbox, by name.
  std::vector<std::string> TasksSeenBy(const std::string& actor) {
    std::vector<std::string> seen;
    for (const auto& event : InboxOf(actor)) {
      if (!event.task().empty()) seen.push_back(event.task());
    }
    return seen;
  }
  std::vector<std::string> LinksListed(const std::string& actor, dsr::v1::Link::State state) {
    dsr::v1::ListLinksRequest request;
    request.set_actor("actors/" + actor);
    request.set_state(state);
    dsr::v1::ListLinksResponse response;
    EXPECT_OK(registry_->ListLinks(Principal::Actor(actor), request, &response));
    std::vector<std::string> names;
    for (const dsr::v1::Link& l : response.links()) names.push_back(l.name());
    return names;
  }
  int Sweep() {
    RetentionSweeper sweeper(store_, journal_, vault_, kRetention);
    absl::StatusOr<int> purged = sweeper.Sweep();
    EXPECT_OK(purged);
    return purged.ok() ? *purged : -1;
  }
  bool Purged(const dsr::v1::SubmitRequestResponse& submitted) {
    dsr::v1::GetRequestRequest get;
    get.set_name(submitted.request().name());
    dsr::v1::GetRequestResponse read;
    EXPECT_OK(requests_->Get(admin_, get, &read));
    return read.request().has_purge_time();
  }

  std::string crawl_, copy_;
};

TEST_F(LinkConsentTest, AProposalForwardsNothingAndShowsInNoLineageUntilAccepted) {
  // The victim's requests: an open erasure, a completed one, an open access.
  dsr::v1::SubmitRequestResponse open = Submit({crawl_});
  dsr::v1::SubmitRequestResponse done = Submit({crawl_});
  ASSERT_OK(Answer(TasksOf(done)[0], dsr::v1::ERASED));
  dsr::v1::SubmitRequestResponse access =
      Submit({crawl_}, dsr::v1::Request::DOWNSTREAM, dsr::v1::ACCESS);

  absl::StatusOr<dsr::v1::Link> claim = Propose("mallory", copy_, crawl_);
  ASSERT_OK(claim);
  EXPECT_EQ(claim->state(), dsr::v1::Link::PROPOSED);
  EXPECT_FALSE(claim->has_decide_time());

  // Nothing reaches the claimant: no task, no inbox event, no lineage, no
  // place among the recipients of an access report, no route for new
  // requests.
  EXPECT_TRUE(InboxOf("mallory").empty());
  EXPECT_EQ(TasksOf(open).size(), 1u);
  EXPECT_EQ(TasksOf(done).size(), 1u);
  EXPECT_TRUE(Downstream(crawl_).empty());
  EXPECT_EQ(Submit({crawl_}).tasks_size(), 1);
  dsr::v1::GetAccessReportRequest get_report;
  get_report.set_name(access.request().name());
  dsr::v1::GetAccessReportResponse report;
  ASSERT_OK(requests_->GetAccessReport(admin_, get_report, &report));
  EXPECT_FALSE(absl::StrContains(report.DebugString(), copy_));
  EXPECT_TRUE(TasksSeenBy("mallory").empty());

  // The parent's owner is told, and both owners see the proposal listed.
  std::vector<std::string> told;
  for (const auto& event : InboxOf("acme")) {
    if (event.kind() == InboxEvent::LINK_PROPOSED) told.push_back(event.link());
  }
  EXPECT_EQ(told, std::vector<std::string>{claim->name()});
  EXPECT_EQ(LinksListed("acme", dsr::v1::Link::PROPOSED), std::vector<std::string>{claim->name()});
  EXPECT_EQ(LinksListed("mallory", dsr::v1::Link::PROPOSED),
            std::vector<std::string>{claim->name()});
  EXPECT_TRUE(LinksListed("acme", dsr::v1::Link::ACCEPTED).empty());

  // The claimant cannot accept its own claim.
  EXPECT_CODE(Decide("mallory", claim->name(), true).status(), StatusCode::kPermissionDenied);

  // Accepted by acme: the copy is a recipient now, and the standing requests
  // follow it (the completed erasure too: the copy may predate its answer).
  absl::StatusOr<dsr::v1::Link> accepted = Decide("acme", claim->name(), true);
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->state(), dsr::v1::Link::ACCEPTED);
  EXPECT_TRUE(accepted->has_decide_time());
  EXPECT_EQ(Downstream(crawl_), std::vector<std::string>{copy_});
  EXPECT_EQ(TasksOf(open).size(), 2u);
  EXPECT_EQ(TasksOf(done).size(), 2u);
  EXPECT_EQ(TasksOf(access).size(), 2u);
  EXPECT_EQ(TasksOf(done)[1].reason(), Task::LATE_LINK);
  std::vector<storage::v1::InboxEventRecord> mallory = InboxOf("mallory");
  ASSERT_FALSE(mallory.empty());
  EXPECT_EQ(mallory.front().kind(), InboxEvent::LINK_ACCEPTED);
  EXPECT_EQ(TasksSeenBy("mallory").size(), 4u);  // three standing, one filed meanwhile
  EXPECT_CODE(Decide("acme", claim->name(), false).status(), StatusCode::kFailedPrecondition);
}

TEST_F(LinkConsentTest, ARejectedClaimForwardsNothingAndHoldsItsPairUntilDeleted) {
  dsr::v1::SubmitRequestResponse erasure = Submit({crawl_});
  absl::StatusOr<dsr::v1::Link> claim = Propose("mallory", copy_, crawl_);
  ASSERT_OK(claim);
  absl::StatusOr<dsr::v1::Link> rejected = Decide("acme", claim->name(), false);
  ASSERT_OK(rejected);
  EXPECT_EQ(rejected->state(), dsr::v1::Link::REJECTED);
  EXPECT_EQ(InboxOf("mallory").back().kind(), InboxEvent::LINK_REJECTED);
  EXPECT_TRUE(TasksSeenBy("mallory").empty());
  EXPECT_EQ(TasksOf(erasure).size(), 1u);
  EXPECT_CODE(Decide("acme", claim->name(), true).status(), StatusCode::kFailedPrecondition);
  EXPECT_CODE(Propose("mallory", copy_, crawl_).status(), StatusCode::kAlreadyExists);

  dsr::v1::DeleteLinkRequest remove;
  remove.set_name(claim->name());
  ASSERT_OK(registry_->DeleteLink(Principal::Actor("mallory"), remove));
  EXPECT_TRUE(LinksListed("acme", dsr::v1::Link::STATE_UNSPECIFIED).empty());
  EXPECT_OK(Propose("mallory", copy_, crawl_).status());
}

TEST_F(LinkConsentTest, LinksWithinOneOrganisationOrByTheAdminNeedNoConsent) {
  const std::string model = AddHolding("acme", "model", dsr::v1::Holding::MODEL);
  dsr::v1::SubmitRequestResponse erasure = Submit({crawl_});
  absl::StatusOr<dsr::v1::Link> own = Propose("acme", model, crawl_);
  ASSERT_OK(own);
  EXPECT_EQ(own->state(), dsr::v1::Link::ACCEPTED);
  EXPECT_EQ(TasksOf(erasure).size(), 2u);
  std::string name;
  ASSERT_OK(Link(copy_, crawl_, &name));  // as admin
  EXPECT_EQ(TasksOf(erasure).size(), 3u);
  // No link event for a link nobody had to decide.
  for (const auto& event : InboxOf("acme")) EXPECT_TRUE(event.link().empty());
}

TEST_F(LinkConsentTest, AcceptingChecksForACycleAgain) {
  // Two opposite claims, each harmless alone: the second to be accepted
  // would close a cycle.
  const std::string mine = AddHolding("mallory", "mine");
  const std::string theirs = AddHolding("acme", "theirs");
  absl::StatusOr<dsr::v1::Link> up = Propose("mallory", mine, theirs);
  absl::StatusOr<dsr::v1::Link> down = Propose("acme", theirs, mine);
  ASSERT_OK(up);
  ASSERT_OK(down);
  ASSERT_OK(Decide("acme", up->name(), true).status());
  absl::StatusOr<dsr::v1::Link> cycle = Decide("mallory", down->name(), true);
  EXPECT_CODE(cycle.status(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(cycle.status().message(), "cycle"));
}

TEST_F(LinkConsentTest, AnExternalIdClaimedByAnotherOrganisationIsRefused) {
  dsr::v1::UpdateHoldingRequest claim;
  claim.mutable_holding()->set_name(crawl_);
  claim.mutable_holding()->add_external_ids("hf:acme/crawl");
  claim.mutable_update_mask()->add_paths("external_ids");
  dsr::v1::Holding holding;
  ASSERT_OK(registry_->UpdateHolding(Principal::Actor("acme"), claim, &holding));

  // Mallory cannot take it, on a new holding or an old one.
  dsr::v1::CreateHoldingRequest squat;
  squat.set_parent("actors/mallory");
  squat.set_holding_id("squat");
  squat.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
  squat.mutable_holding()->set_title("Totally the real crawl");
  squat.mutable_holding()->add_external_ids("hf:other");
  squat.mutable_holding()->add_external_ids("hf:acme/crawl");
  absl::Status refused = registry_->CreateHolding(Principal::Actor("mallory"), squat, &holding);
  EXPECT_CODE(refused, StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(refused.message(), "holding.external_ids[1]"));
  claim.mutable_holding()->set_name(copy_);
  EXPECT_CODE(registry_->UpdateHolding(Principal::Actor("mallory"), claim, &holding),
              StatusCode::kAlreadyExists);

  // Acme may give it to a second holding of its own (another release); the
  // admin, who settles disputes, may give it to anyone.
  const std::string v2 = AddHolding("acme", "crawl-v2");
  claim.mutable_holding()->set_name(v2);
  EXPECT_OK(registry_->UpdateHolding(Principal::Actor("acme"), claim, &holding));
  claim.mutable_holding()->set_name(copy_);
  EXPECT_OK(registry_->UpdateHolding(admin_, claim, &holding));
}

class QuotaTest : public LinkConsentTest {
 protected:
  // The core reopened over the same store with small quotas; it counts
  // what the store holds.
  QuotaTest() {
    limits_.max_holdings_per_actor = 3;
    limits_.max_links_per_actor = 1;
    limits_.max_link_proposals_per_day = 2;
    ReopenAll();
  }
  absl::Status Create(const Principal& who, const std::string& actor, const std::string& id) {
    dsr::v1::CreateHoldingRequest request;
    request.set_parent("actors/" + actor);
    request.set_holding_id(id);
    request.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
    request.mutable_holding()->set_title(id);
    dsr::v1::Holding holding;
    return registry_->CreateHolding(who, request, &holding);
  }
};

TEST_F(QuotaTest, HoldingsAndLinksPerOrganisationAreBoundedTheAdminIsNot) {
  // mallory holds `copy` (counted at start) and may add two more.
  const Principal mallory = Principal::Actor("mallory");
  EXPECT_OK(Create(mallory, "mallory", "two"));
  EXPECT_OK(Create(mallory, "mallory", "three"));
  absl::Status over = Create(mallory, "mallory", "four");
  EXPECT_CODE(over, StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(over.message(), "quota of 3 holdings"));
  EXPECT_OK(Create(admin_, "mallory", "onboarded"));

  absl::StatusOr<dsr::v1::Link> first = Propose("mallory", copy_, crawl_);
  ASSERT_OK(first);
  EXPECT_CODE(Propose("mallory", "actors/mallory/holdings/two", crawl_).status(),
              StatusCode::kResourceExhausted);
  // The counts are rebuilt from the store at start.
  ReopenAll();
  EXPECT_CODE(Propose("mallory", "actors/mallory/holdings/two", crawl_).status(),
              StatusCode::kResourceExhausted);
  EXPECT_CODE(Create(mallory, "mallory", "four"), StatusCode::kResourceExhausted);
  // Deleting a link frees its place.
  dsr::v1::DeleteLinkRequest remove;
  remove.set_name(first->name());
  ASSERT_OK(registry_->DeleteLink(mallory, remove));
  EXPECT_OK(Propose("mallory", "actors/mallory/holdings/two", crawl_).status());
}

// Proposing and withdrawing again and again would fill the parent owner's
// inbox (a withdrawn proposal's event stays): proposals are limited a day.
TEST_F(QuotaTest, ProposalsAreLimitedADayWithdrawingGivesNoneBack) {
  const Principal mallory = Principal::Actor("mallory");
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<dsr::v1::Link> proposed = Propose("mallory", copy_, crawl_);
    ASSERT_OK(proposed);
    dsr::v1::DeleteLinkRequest remove;
    remove.set_name(proposed->name());
    ASSERT_OK(registry_->DeleteLink(mallory, remove));
  }
  absl::Status refused = Propose("mallory", copy_, crawl_).status();
  EXPECT_CODE(refused, StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(refused.message(), "too many link proposals")) << refused;
  // A day later the organisation may propose again.
  clock_.Advance(absl::Hours(24));
  EXPECT_OK(Propose("mallory", copy_, crawl_).status());
}

TEST_F(LinkConsentTest, ALateTaskNobodyAnswersHoldsTheRequestOpenNoLongerThanRetention) {
  dsr::v1::SubmitRequestResponse erasure = Submit({crawl_});
  ASSERT_OK(Answer(TasksOf(erasure)[0], dsr::v1::ERASED));  // final at t0
  clock_.Advance(absl::Hours(24 * 30));
  absl::StatusOr<dsr::v1::Link> claim = Propose("mallory", copy_, crawl_);
  ASSERT_OK(claim);
  ASSERT_OK(Decide("acme", claim->name(), true).status());  // reopened at t1 = t0 + 30 days
  ASSERT_EQ(TasksOf(erasure).size(), 2u);

  // R after t0 the request is open: nothing is purged.
  clock_.Advance(kRetention - absl::Hours(24 * 30) + absl::Hours(1));
  EXPECT_EQ(Sweep(), 0);
  EXPECT_FALSE(Purged(erasure));
  // R after t1, the silent holder's task is withdrawn and the data purged.
  clock_.Advance(absl::Hours(24 * 30));
  EXPECT_EQ(Sweep(), 1);
  EXPECT_TRUE(Purged(erasure));
  std::vector<Task> tasks = TasksOf(erasure);
  EXPECT_EQ(tasks[1].state(), Task::CANCELLED);
  EXPECT_EQ(InboxOf("mallory").back().kind(), InboxEvent::TASK_CANCELLED);
}

TEST_F(LinkConsentTest, ARequestAnsweredAgainAfterALateLinkKeepsItsDataForAFullPeriod) {
  // Completed at t0, reopened by a late link, answered again at t0 + R/2:
  // its data must be kept until t0 + R/2 + R, not t0 + R.
  dsr::v1::SubmitRequestResponse erasure = Submit({crawl_});
  ASSERT_OK(Answer(TasksOf(erasure)[0], dsr::v1::ERASED));
  clock_.Advance(absl::Hours(1));
  absl::StatusOr<dsr::v1::Link> claim = Propose("mallory", copy_, crawl_);
  ASSERT_OK(claim);
  ASSERT_OK(Decide("acme", claim->name(), true).status());
  clock_.Advance(kRetention / 2 - absl::Hours(1));
  ASSERT_OK(Answer(TasksOf(erasure)[1], dsr::v1::ERASED));

  clock_.Advance(kRetention / 2 + absl::Hours(2));  // past t0 + R and t1 + R
  EXPECT_EQ(Sweep(), 0);
  EXPECT_FALSE(Purged(erasure));
  clock_.Advance(kRetention / 2);  // past t0 + R/2 + R
  EXPECT_EQ(Sweep(), 1);
  EXPECT_TRUE(Purged(erasure));
}

TEST_F(LinkConsentTest, LinksStoredBeforeConsentExistedAreAcceptedAndListed) {
  // A link record as stored before links had states or an index.
  storage::v1::LinkRecord old;
  old.set_link_id("aoldlink");
  old.set_child(copy_);
  old.set_parent(crawl_);
  old.set_relation(dsr::v1::Link::COPY);
  storage::WriteBatch batch = store_->NewWriteBatch();
  batch.Put(storage::ColumnFamily::kLinks, storage::keys::Link(old.link_id()), old);
  ASSERT_OK(store_->Commit(batch));
  ReopenAll();
  EXPECT_EQ(Downstream(crawl_), std::vector<std::string>{copy_});
  EXPECT_EQ(LinksListed("acme", dsr::v1::Link::ACCEPTED),
            std::vector<std::string>{"links/aoldlink"});
  EXPECT_EQ(LinksListed("mallory", dsr::v1::Link::ACCEPTED),
            std::vector<std::string>{"links/aoldlink"});
}

}  // namespace
}  // namespace dsr::broker
