#include "broker/audit/audit_log.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_format.h"
#include "broker/journal/audit_chain.h"
#include "dsr/storage/v1/audit_records.pb.h"
#include "storage/keys.h"
#include "tests/broker/registry_test_base.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

class AuditLogTest : public RegistryTest {
 protected:
  dsr::v1::VerifyAuditLogResponse Verify() {
    AuditLog& log = core_->audit();
    dsr::v1::VerifyAuditLogResponse response;
    EXPECT_OK(log.VerifyAuditLog(admin_, {}, &response));
    return response;
  }
  void Rewrite(uint64_t sequence, const std::function<void(storage::v1::AuditEventRecord&)>& edit) {
    storage::v1::AuditEventRecord event;
    ASSERT_OK(
        store_->Get(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(sequence), &event));
    edit(event);
    storage::WriteBatch batch = store_->NewWriteBatch();
    batch.Put(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(sequence), event);
    ASSERT_OK(store_->Commit(batch));
  }
};

TEST_F(AuditLogTest, EveryRegistryMutationAppendsOneChainedEvent) {
  AddActor("acme");
  const std::string a = AddHolding("acme", "aaa");
  const std::string b = AddHolding("acme", "bbb");
  std::string link;
  ASSERT_OK(Link(b, a, &link));
  // A refused mutation leaves no trace in the chain.
  EXPECT_CODE(Link(b, a), absl::StatusCode::kAlreadyExists);

  AuditLog& log = core_->audit();
  dsr::v1::ListAuditEventsResponse listed;
  ASSERT_OK(log.ListAuditEvents(admin_, {}, &listed));
  ASSERT_EQ(listed.events_size(), 4);
  const std::vector<std::pair<std::string, std::string>> expected = {{"CreateActor", "actors/acme"},
                                                                     {"CreateHolding", a},
                                                                     {"CreateHolding", b},
                                                                     {"CreateLink", link}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(listed.events(i).sequence(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(listed.events(i).action(), expected[i].first);
    EXPECT_EQ(listed.events(i).resource(), expected[i].second);
    EXPECT_EQ(listed.events(i).principal(), "admin");
  }
  dsr::v1::VerifyAuditLogResponse verified = Verify();
  EXPECT_TRUE(verified.intact());
  EXPECT_EQ(verified.event_count(), 4u);
  EXPECT_EQ(verified.head_hash(), listed.events(3).hash());
}

TEST_F(AuditLogTest, ChainOfHundredsVerifiesAcrossReopenAndReportsTheFirstAlteredEvent) {
  AddActor("acme");
  for (int i = 0; i < 150; ++i) AddHolding("acme", "h-" + std::to_string(i));
  Reopen();  // the journal picks the head up from the store
  for (int i = 150; i < 300; ++i) AddHolding("acme", "h-" + std::to_string(i));
  dsr::v1::VerifyAuditLogResponse intact = Verify();
  EXPECT_TRUE(intact.intact());
  EXPECT_EQ(intact.event_count(), 301u);

  Rewrite(151, [](auto& e) { e.set_resource("actors/acme/holdings/forged"); });
  dsr::v1::VerifyAuditLogResponse altered = Verify();
  EXPECT_FALSE(altered.intact());
  EXPECT_EQ(altered.first_broken_sequence(), 151u);
  EXPECT_EQ(altered.event_count(), 150u);
}

// Every stored field is under the hash: changing any one of an event is
// reported at that event (a hash that left a field out would let it be
// rewritten unseen, and verification, using the same function, would not
// notice).
TEST_F(AuditLogTest, ChangingAnyStoredFieldOfAnEventIsReportedAtThatEvent) {
  AddActor("acme");
  for (int i = 0; i < 6; ++i) AddHolding("acme", "h-" + std::to_string(i));
  const std::vector<std::pair<std::string, std::function<void(storage::v1::AuditEventRecord&)>>>
      edits = {
          {"event_time seconds", [](auto& e) { e.mutable_event_time()->set_seconds(1); }},
          {"event_time nanos", [](auto& e) { e.mutable_event_time()->set_nanos(1000); }},
          {"action", [](auto& e) { e.set_action("DeleteHolding"); }},
          {"principal", [](auto& e) { e.set_principal("actors/acme"); }},
          {"resource", [](auto& e) { e.set_resource("actors/acme/holdings/forged"); }},
          {"sequence", [](auto& e) { e.set_sequence(e.sequence() + 100); }},
      };
  for (const auto& [field, edit] : edits) {
    SCOPED_TRACE(field);
    storage::v1::AuditEventRecord original;
    ASSERT_OK(store_->Get(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(4), &original));
    Rewrite(4, edit);
    dsr::v1::VerifyAuditLogResponse altered = Verify();
    EXPECT_FALSE(altered.intact());
    EXPECT_EQ(altered.first_broken_sequence(), 4u);
    Rewrite(4, [&](auto& e) { e = original; });
    EXPECT_TRUE(Verify().intact());
  }
}

// The hash of one known event, against a value worked out apart from the
// code: SHA-256 of 32 zero bytes and the event's protobuf encoding, written
// out by hand below, computed with Python's hashlib.
TEST(AuditChainTest, AKnownEventHashesToAValueWorkedOutIndependently) {
  storage::v1::AuditEventRecord event;
  event.set_sequence(1);
  event.mutable_event_time()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  event.set_principal("admin");
  event.set_action("CreateActor");
  event.set_resource("actors/acme");
  // 08 01 | 12 06 (08 80 f2 d6 ca 06) | 1a 05 "admin" | 22 0b "CreateActor" |
  // 2a 0b "actors/acme"
  const std::string expected_hex =
      "5af4c8dd19c64aa1ebe299feb9dc30390ae5e1033540e2e81d22f4e0939446f0";
  const std::string hash = ChainHash(GenesisHash(), event);
  std::string hex;
  for (unsigned char c : hash) absl::StrAppendFormat(&hex, "%02x", c);
  EXPECT_EQ(hex, expected_hex);
  // A stored hash is not part of what is hashed.
  event.set_hash("anything");
  EXPECT_EQ(ChainHash(GenesisHash(), event), hash);
}

TEST_F(AuditLogTest, RemovedOrRehashedEventsAreFound) {
  AddActor("acme");
  for (int i = 0; i < 20; ++i) AddHolding("acme", "h-" + std::to_string(i));
  // Recomputing an altered event's own hash does not help: the next link
  // breaks.
  Rewrite(10, [](auto& e) { e.set_principal("actors/acme"); });
  Rewrite(10, [this](auto& e) {
    storage::v1::AuditEventRecord previous;
    ASSERT_OK(store_->Get(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(9), &previous));
    e.set_hash(ChainHash(previous.hash(), e));
  });
  EXPECT_EQ(Verify().first_broken_sequence(), 11u);

  storage::WriteBatch batch = store_->NewWriteBatch();
  batch.Delete(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(5));
  ASSERT_OK(store_->Commit(batch));
  EXPECT_EQ(Verify().first_broken_sequence(), 5u);
}

TEST_F(AuditLogTest, RemovingTheNewestEventsIsFound) {
  AddActor("acme");
  for (int i = 0; i < 5; ++i) AddHolding("acme", "h-" + std::to_string(i));
  storage::WriteBatch batch = store_->NewWriteBatch();
  batch.Delete(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(6));
  batch.Delete(storage::ColumnFamily::kAudit, storage::keys::AuditEvent(5));
  ASSERT_OK(store_->Commit(batch));
  dsr::v1::VerifyAuditLogResponse truncated = Verify();
  EXPECT_FALSE(truncated.intact());
  EXPECT_EQ(truncated.first_broken_sequence(), 5u);
}

TEST_F(AuditLogTest, AdminOnly) {
  AuditLog& log = core_->audit();
  dsr::v1::VerifyAuditLogResponse verified;
  EXPECT_CODE(log.VerifyAuditLog(Principal::Actor("acme"), {}, &verified),
              absl::StatusCode::kPermissionDenied);
  dsr::v1::ListAuditEventsResponse listed;
  EXPECT_CODE(log.ListAuditEvents(Principal::Anonymous(), {}, &listed),
              absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace dsr::broker

namespace dsr::broker {
namespace {

// Events committed while a verification scans are not "removed" ones: the
// journal's head is read before the scan.
TEST_F(AuditLogTest, VerifyingDuringWritesFindsTheChainIntact) {
  AddActor("acme");
  std::atomic<bool> done{false};
  std::atomic<int> verified{0};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      // Half way, let a verification in (on a busy machine the writer could
      // otherwise finish before the first one starts).
      while (i == 150 && verified == 0) absl::SleepFor(absl::Milliseconds(1));
      dsr::v1::CreateHoldingRequest create;
      create.set_parent("actors/acme");
      create.set_holding_id("h" + std::to_string(1000 + i));
      create.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
      create.mutable_holding()->set_title("t");
      dsr::v1::Holding made;
      EXPECT_OK(registry_->CreateHolding(admin_, create, &made));
    }
    done = true;
  });
  while (!done) {
    EXPECT_TRUE(Verify().intact()) << "verification " << verified;
    ++verified;
  }
  writer.join();
  EXPECT_TRUE(Verify().intact());
  EXPECT_GT(verified, 0);
}

}  // namespace
}  // namespace dsr::broker
