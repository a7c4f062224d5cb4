#ifndef DSR_TESTS_BROKER_REQUESTS_TEST_BASE_H_
#define DSR_TESTS_BROKER_REQUESTS_TEST_BASE_H_

#include <memory>
#include <string>
#include <vector>

#include "broker/access/authenticator.h"
#include "broker/journal/inbox_log.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/request_vault.h"
#include "broker/requests/requests.h"
#include "tests/broker/registry_test_base.h"

namespace dsr::broker {

// A registry plus the requests logic over the same store and journal.
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
  // The stored inbox events of `actor`, in order.
  std::vector<dsr::storage::v1::InboxEventRecord> InboxOf(const std::string& actor);

  // Keys are fixed across reopening, as the key files are across restarts.
  Pseudonyms pseudonyms_{std::string(32, 'p')};
  std::unique_ptr<RequestVault> vault_;
  std::unique_ptr<Requests> requests_;
};

}  // namespace dsr::broker

#endif  // DSR_TESTS_BROKER_REQUESTS_TEST_BASE_H_
