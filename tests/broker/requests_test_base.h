#ifndef DSR_TESTS_BROKER_REQUESTS_TEST_BASE_H_
#define DSR_TESTS_BROKER_REQUESTS_TEST_BASE_H_

#include <memory>
#include <string>
#include <vector>

#include "broker/access/authenticator.h"
#include "broker/inbox/inbox.h"
#include "broker/journal/inbox_log.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/request_vault.h"
#include "broker/requests/requests.h"
#include "tests/broker/registry_test_base.h"

namespace dsr::broker {

// The core's registry, requests and inbox (RegistryTest).
class RequestsTest : public RegistryTest {
 protected:
  RequestsTest();

  // Reopens everything, as after a restart.
  void ReopenAll();

  // Submits an ERASURE (or `type`) for alice@example.com to `targets`.
  dsr::v1::SubmitRequestResponse Submit(
      const std::vector<std::string>& targets,
      dsr::v1::Request::LineageScope scope = dsr::v1::Request::DOWNSTREAM,
      dsr::v1::RequestType type = dsr::v1::ERASURE);
  // The principal the receipt token of `response` authenticates as.
  Principal ReceiptOf(const dsr::v1::SubmitRequestResponse& response);
  // Options of a second Requests over the core's store, with `limits`.
  RequestsOptions OptionsLikeCore(const Limits& limits);
  // The stored inbox events of `actor`, in order.
  std::vector<dsr::storage::v1::InboxEventRecord> InboxOf(const std::string& actor);

  // Parts of core_, valid until the next reopening. The keys stay the same
  // across reopening, as the key files do across restarts.
  const Pseudonyms* pseudonyms_ = nullptr;
  const RequestVault* vault_ = nullptr;
  Requests* requests_ = nullptr;
  Inbox* tasks_ = nullptr;
};

}  // namespace dsr::broker

#endif  // DSR_TESTS_BROKER_REQUESTS_TEST_BASE_H_
