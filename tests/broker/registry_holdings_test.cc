#include "storage/keys.h"
#include "tests/broker/registry_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

using absl::StatusCode;

dsr::v1::CreateHoldingRequest HoldingRequest(const std::string& actor, const std::string& id) {
  dsr::v1::CreateHoldingRequest request;
  request.set_parent("actors/" + actor);
  request.set_holding_id(id);
  dsr::v1::Holding* h = request.mutable_holding();
  h->set_kind(dsr::v1::Holding::DATASET);
  h->set_title("Common Words");
  h->set_legal_basis(dsr::v1::Holding::LEGITIMATE_INTERESTS);
  h->add_external_ids("hf:common-words");
  h->add_data_categories("names");
  return request;
}

std::vector<std::string> ListAll(Registry& registry, dsr::v1::ListHoldingsRequest request,
                                 int* pages = nullptr) {
  std::vector<std::string> names;
  int count = 0;
  do {
    dsr::v1::ListHoldingsResponse response;
    EXPECT_OK(registry.ListHoldings(request, &response));
    for (const auto& h : response.holdings()) names.push_back(h.name());
    request.set_page_token(response.next_page_token());
    ++count;
  } while (!request.page_token().empty() && count < 100);
  if (pages != nullptr) *pages = count;
  return names;
}

TEST_F(RegistryTest, OwnerCreatesHoldingAndAnyoneReadsIt) {
  AddActor("acme");
  dsr::v1::Holding created;
  ASSERT_OK(registry_->CreateHolding(Principal::Actor("acme"), HoldingRequest("acme", "words"),
                                     &created));
  EXPECT_EQ(created.name(), "actors/acme/holdings/words");
  EXPECT_EQ(created.state(), dsr::v1::Holding::ACTIVE);
  EXPECT_EQ(created.external_ids(0), "hf:common-words");

  dsr::v1::GetHoldingRequest get;
  get.set_name(created.name());
  dsr::v1::Holding read;
  ASSERT_OK(registry_->GetHolding(get, &read));
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  get.set_name("actors/acme/holdings/missing");
  EXPECT_CODE(registry_->GetHolding(get, &read), StatusCode::kNotFound);
}

TEST_F(RegistryTest, HoldingWritesNeedTheOwnerOrAdmin) {
  AddActor("acme");
  AddActor("beta");
  dsr::v1::Holding h;
  EXPECT_CODE(
      registry_->CreateHolding(Principal::Actor("beta"), HoldingRequest("acme", "words"), &h),
      StatusCode::kPermissionDenied);
  EXPECT_CODE(registry_->CreateHolding(Principal::Anonymous(), HoldingRequest("acme", "words"), &h),
              StatusCode::kUnauthenticated);
  ASSERT_OK(registry_->CreateHolding(admin_, HoldingRequest("acme", "words"), &h));

  dsr::v1::UpdateHoldingRequest update;
  update.mutable_holding()->set_name(h.name());
  update.mutable_holding()->set_title("Renamed");
  EXPECT_CODE(registry_->UpdateHolding(Principal::Actor("beta"), update, &h),
              StatusCode::kPermissionDenied);
  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(h.name());
  EXPECT_CODE(registry_->RetireHolding(Principal::Actor("beta"), retire, &h),
              StatusCode::kPermissionDenied);
  EXPECT_OK(registry_->UpdateHolding(Principal::Actor("acme"), update, &h));
}

TEST_F(RegistryTest, CreateHoldingChecksActorDuplicatesAndFields) {
  dsr::v1::Holding h;
  EXPECT_CODE(registry_->CreateHolding(admin_, HoldingRequest("ghost", "words"), &h),
              StatusCode::kNotFound);
  AddActor("acme");
  ASSERT_OK(registry_->CreateHolding(admin_, HoldingRequest("acme", "words"), &h));
  EXPECT_CODE(registry_->CreateHolding(admin_, HoldingRequest("acme", "words"), &h),
              StatusCode::kAlreadyExists);

  std::vector<std::pair<std::function<void(dsr::v1::CreateHoldingRequest&)>, std::string>> bad = {
      {[](auto& r) { r.set_holding_id("x"); }, "holding_id"},
      {[](auto& r) { r.set_parent("acme"); }, "parent"},
      {[](auto& r) { r.mutable_holding()->clear_kind(); }, "holding.kind"},
      {[](auto& r) { r.mutable_holding()->set_title("  "); }, "holding.title"},
      {[](auto& r) { r.mutable_holding()->set_title(std::string(257, 't')); }, "holding.title"},
      {[](auto& r) { r.mutable_holding()->set_description(std::string(4097, 'd')); },
       "holding.description"},
      {[](auto& r) { r.mutable_holding()->add_external_ids("hf:common-words"); },
       "holding.external_ids[1]"},
      {[](auto& r) { r.mutable_holding()->add_external_ids("bad\nid"); },
       "holding.external_ids[1]"},
      {[](auto& r) {
         r.mutable_holding()->set_legal_basis(static_cast<dsr::v1::Holding::LegalBasis>(99));
       },
       "holding.legal_basis"},
  };
  for (auto& [mutate, field] : bad) {
    dsr::v1::CreateHoldingRequest request = HoldingRequest("acme", "other");
    mutate(request);
    absl::Status status = registry_->CreateHolding(admin_, request, &h);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << field;
    EXPECT_NE(status.message().find(field), absl::string_view::npos) << status;
  }
  // At the limits, a holding is accepted.
  dsr::v1::CreateHoldingRequest request = HoldingRequest("acme", "at-limits");
  request.mutable_holding()->set_title(std::string(256, 't'));
  request.mutable_holding()->set_description(std::string(4096, 'd'));
  request.mutable_holding()->clear_external_ids();
  for (int i = 0; i < 32; ++i)
    request.mutable_holding()->add_external_ids("id:" + std::to_string(i));
  EXPECT_OK(registry_->CreateHolding(admin_, request, &h));
  request.set_holding_id("over-limits");
  request.mutable_holding()->add_external_ids("id:32");
  EXPECT_CODE(registry_->CreateHolding(admin_, request, &h), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, CreateHoldingIsIdempotentPerRequestId) {
  AddActor("acme");
  dsr::v1::CreateHoldingRequest request = HoldingRequest("acme", "words");
  request.set_request_id("req-1");
  dsr::v1::Holding first, second;
  ASSERT_OK(registry_->CreateHolding(admin_, request, &first));
  ASSERT_OK(registry_->CreateHolding(admin_, request, &second));
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  // The same id from another principal is another call: here, a duplicate.
  EXPECT_CODE(registry_->CreateHolding(Principal::Actor("acme"), request, &second),
              StatusCode::kAlreadyExists);
}

TEST_F(RegistryTest, ListHoldingsByActorAllAndExternalIdWithPaging) {
  AddActor("acme");
  AddActor("acme-labs");
  dsr::v1::Holding h;
  for (const char* actor : {"acme", "acme-labs"}) {
    for (int i = 0; i < 5; ++i) {
      dsr::v1::CreateHoldingRequest request = HoldingRequest(actor, "h-" + std::to_string(i));
      if (i % 2 == 1) request.mutable_holding()->set_external_ids(0, "doi:10.1000/odd");
      ASSERT_OK(registry_->CreateHolding(admin_, request, &h));
    }
  }
  dsr::v1::ListHoldingsRequest request;
  request.set_parent("actors/acme");
  request.set_page_size(2);
  int pages = 0;
  std::vector<std::string> acme = ListAll(*registry_, request, &pages);
  EXPECT_EQ(acme.size(), 5u);
  EXPECT_EQ(pages, 3);
  for (const std::string& name : acme) EXPECT_EQ(name.rfind("actors/acme/", 0), 0u) << name;

  request.set_parent("actors/-");
  EXPECT_EQ(ListAll(*registry_, request).size(), 10u);

  request.set_external_id("doi:10.1000/odd");
  // The same order as without the filter: by actor, then holding.
  EXPECT_EQ(
      ListAll(*registry_, request),
      (std::vector<std::string>{"actors/acme/holdings/h-1", "actors/acme/holdings/h-3",
                                "actors/acme-labs/holdings/h-1", "actors/acme-labs/holdings/h-3"}));
  request.set_parent("actors/acme");
  EXPECT_EQ(ListAll(*registry_, request),
            (std::vector<std::string>{"actors/acme/holdings/h-1", "actors/acme/holdings/h-3"}));

  // A token is good only for the query that returned it.
  request.set_parent("actors/-");
  request.clear_external_id();
  dsr::v1::ListHoldingsResponse response;
  ASSERT_OK(registry_->ListHoldings(request, &response));
  ASSERT_FALSE(response.next_page_token().empty());
  request.set_page_token(response.next_page_token());
  request.set_external_id("hf:common-words");
  EXPECT_CODE(registry_->ListHoldings(request, &response), StatusCode::kInvalidArgument);
  request.set_parent("acme");
  request.clear_page_token();
  EXPECT_CODE(registry_->ListHoldings(request, &response), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, UpdateHoldingHonoursMaskAndKeepsIndexInStep) {
  AddActor("acme");
  dsr::v1::Holding h;
  ASSERT_OK(registry_->CreateHolding(admin_, HoldingRequest("acme", "words"), &h));
  clock_.Advance(absl::Hours(1));

  dsr::v1::UpdateHoldingRequest update;
  update.mutable_holding()->set_name(h.name());
  update.mutable_holding()->set_title("Ignored: not in mask");
  update.mutable_holding()->add_external_ids("doi:10.1/new");
  update.mutable_update_mask()->add_paths("external_ids");
  dsr::v1::Holding updated;
  ASSERT_OK(registry_->UpdateHolding(admin_, update, &updated));
  EXPECT_EQ(updated.title(), "Common Words");
  ASSERT_EQ(updated.external_ids_size(), 1);
  EXPECT_EQ(updated.external_ids(0), "doi:10.1/new");
  EXPECT_EQ(updated.update_time().seconds() - updated.create_time().seconds(), 3600);

  dsr::v1::ListHoldingsRequest list;
  list.set_parent("actors/-");
  list.set_external_id("hf:common-words");
  EXPECT_TRUE(ListAll(*registry_, list).empty());
  list.set_external_id("doi:10.1/new");
  EXPECT_EQ(ListAll(*registry_, list), (std::vector<std::string>{h.name()}));

  // Without a mask, the fields set in the request change.
  update.clear_update_mask();
  update.mutable_holding()->clear_external_ids();
  update.mutable_holding()->set_title("New title");
  ASSERT_OK(registry_->UpdateHolding(admin_, update, &updated));
  EXPECT_EQ(updated.title(), "New title");
  EXPECT_EQ(updated.external_ids(0), "doi:10.1/new");

  for (const char* path : {"kind", "state", "name", "create_time"}) {
    update.mutable_update_mask()->clear_paths();
    update.mutable_update_mask()->add_paths(path);
    EXPECT_CODE(registry_->UpdateHolding(admin_, update, &updated), StatusCode::kInvalidArgument)
        << path;
  }
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("title");
  update.mutable_holding()->set_title("");
  EXPECT_CODE(registry_->UpdateHolding(admin_, update, &updated), StatusCode::kInvalidArgument);
  dsr::v1::UpdateHoldingRequest empty;
  empty.mutable_holding()->set_name(h.name());
  EXPECT_CODE(registry_->UpdateHolding(admin_, empty, &updated), StatusCode::kInvalidArgument);
  empty.mutable_holding()->set_name("actors/acme/holdings/missing");
  empty.mutable_holding()->set_title("x y z");
  EXPECT_CODE(registry_->UpdateHolding(admin_, empty, &updated), StatusCode::kNotFound);
}

TEST_F(RegistryTest, UpdateAndRetireRetriesReplayTheFirstResult) {
  AddActor("acme");
  const std::string name = AddHolding("acme", "words");
  dsr::v1::UpdateHoldingRequest update;
  update.mutable_holding()->set_name(name);
  update.mutable_holding()->set_title("First");
  update.set_request_id("update-1");
  dsr::v1::Holding first, replay;
  ASSERT_OK(registry_->UpdateHolding(admin_, update, &first));
  clock_.Advance(absl::Minutes(5));
  ASSERT_OK(registry_->UpdateHolding(admin_, update, &replay));
  // Nothing changed on the retry, not even update_time.
  EXPECT_EQ(replay.SerializeAsString(), first.SerializeAsString());
  update.mutable_holding()->set_title("Second");
  EXPECT_CODE(registry_->UpdateHolding(admin_, update, &replay), StatusCode::kInvalidArgument);

  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(name);
  retire.set_request_id("retire-1");
  ASSERT_OK(registry_->RetireHolding(admin_, retire, &first));
  ASSERT_OK(registry_->RetireHolding(admin_, retire, &replay));
  EXPECT_EQ(replay.state(), dsr::v1::Holding::RETIRED);
  retire.set_request_id("retire-2");
  EXPECT_CODE(registry_->RetireHolding(admin_, retire, &replay), StatusCode::kFailedPrecondition);
}

TEST_F(RegistryTest, ListByExternalIdSkipsEntriesTheRecordNoLongerCarries) {
  AddActor("acme");
  const std::string name = AddHolding("acme", "words");
  // An index entry whose holding dropped the id, as a reader racing an
  // update could see it.
  storage::WriteBatch batch = store_->NewWriteBatch();
  batch.PutEmpty(storage::ColumnFamily::kExternalIds,
                 storage::keys::ExternalId("hf:stale", "acme", "words"));
  ASSERT_OK(store_->Commit(batch));
  dsr::v1::ListHoldingsRequest request;
  request.set_parent("actors/-");
  request.set_external_id("hf:stale");
  EXPECT_TRUE(ListAll(*registry_, request).empty());
}

TEST_F(RegistryTest, RetireIsOneWayAndShowsInLineage) {
  AddActor("acme");
  const std::string name = AddHolding("acme", "words");
  dsr::v1::RetireHoldingRequest retire;
  retire.set_name(name);
  dsr::v1::Holding h;
  ASSERT_OK(registry_->RetireHolding(Principal::Actor("acme"), retire, &h));
  EXPECT_EQ(h.state(), dsr::v1::Holding::RETIRED);
  EXPECT_CODE(registry_->RetireHolding(admin_, retire, &h), StatusCode::kFailedPrecondition);

  dsr::v1::GetLineageRequest lineage;
  lineage.set_holding(name);
  dsr::v1::GetLineageResponse response;
  ASSERT_OK(registry_->GetLineage(lineage, &response));
  EXPECT_EQ(response.nodes(0).state(), dsr::v1::Holding::RETIRED);

  Reopen();
  ASSERT_OK(registry_->GetLineage(lineage, &response));
  EXPECT_EQ(response.nodes(0).state(), dsr::v1::Holding::RETIRED);
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

TEST_F(RegistryTest, RoleIsCheckedBeforeTheRequest) {
  const std::pair<Principal, absl::StatusCode> callers[] = {
      {Principal::Anonymous(), absl::StatusCode::kUnauthenticated},
      {Principal::Receipt("r"), absl::StatusCode::kPermissionDenied},
      {Principal::Actor("acme"), absl::StatusCode::kInvalidArgument},
  };
  for (const auto& [caller, code] : callers) {
    SCOPED_TRACE(caller.Label());
    dsr::v1::Holding holding;
    dsr::v1::Link link;
    EXPECT_CODE(registry_->CreateHolding(caller, dsr::v1::CreateHoldingRequest(), &holding), code);
    EXPECT_CODE(registry_->UpdateHolding(caller, dsr::v1::UpdateHoldingRequest(), &holding), code);
    EXPECT_CODE(registry_->RetireHolding(caller, dsr::v1::RetireHoldingRequest(), &holding), code);
    EXPECT_CODE(registry_->CreateLink(caller, dsr::v1::CreateLinkRequest(), &link), code);
    EXPECT_CODE(registry_->DeleteLink(caller, dsr::v1::DeleteLinkRequest()), code);
  }
}

}  // namespace
}  // namespace dsr::broker
