#ifndef DSR_TESTS_BROKER_REGISTRY_TEST_BASE_H_
#define DSR_TESTS_BROKER_REGISTRY_TEST_BASE_H_

#include <memory>
#include <string>

#include "broker/core/broker_core.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/registry/registry.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace dsr::broker {

// The broker's core over a throwaway directory, as the server builds it but
// with no transport and no background work (tests drive sweeps by hand),
// rate limits off, and helpers that assert success.
class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest();

  // Closes and reopens the core, as after a restart.
  void Reopen();
  // The options Reopen builds the core with (limits_ among them).
  virtual BrokerCoreOptions CoreOptions();

  // Creates actor `id` as admin; returns its token.
  std::string AddActor(const std::string& id);
  // Creates actors/{actor}/holdings/{id} as admin; returns its name.
  std::string AddHolding(const std::string& actor, const std::string& id,
                         dsr::v1::Holding::Kind kind = dsr::v1::Holding::DATASET);
  // Links child <- parent as admin; returns the status and, in *name, the link.
  absl::Status Link(const std::string& child, const std::string& parent,
                    std::string* name = nullptr);
  // The names downstream of `root`, in walk order, without the root.
  std::vector<std::string> Downstream(const std::string& root);

  static dsr::v1::Actor ValidActor();
  static dsr::v1::Holding ValidHolding();

  const Principal admin_ = Principal::Admin();
  // The limits the next Reopen (and RequestsTest::ReopenAll) builds with.
  Limits limits_;
  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<BrokerCore> core_;
  // Parts of core_, valid until the next Reopen.
  storage::Store* store_ = nullptr;
  Journal* journal_ = nullptr;
  InboxLog* inbox_ = nullptr;
  Registry* registry_ = nullptr;
};

}  // namespace dsr::broker

#endif  // DSR_TESTS_BROKER_REGISTRY_TEST_BASE_H_
