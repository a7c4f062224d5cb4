#ifndef DSR_TESTS_SUPPORT_DURABILITY_CHECKS_H_
#define DSR_TESTS_SUPPORT_DURABILITY_CHECKS_H_

// What the durability tests (power loss, crash loop) check over the API after
// a restart, shared so that they check it the same way.

#include <cstdint>
#include <functional>
#include <string>

#include "dsr/v1/audit_service.grpc.pb.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "gtest/gtest.h"

namespace dsr::testing {

// The request `name` opens with its receipt.
::testing::AssertionResult RequestIsThere(dsr::v1::RequestService::Stub& requests,
                                          const std::string& name, const std::string& receipt);

// The audit chain verifies; `*events` gets its length.
::testing::AssertionResult AuditChainIsIntact(dsr::v1::AuditService::Stub& audit,
                                              const std::string& admin_token, uint64_t* events);

// The inbox of the actor `token` holds every sequence after `after` up to its
// last, once and in order; `visit` (if any) sees each event. `*last` gets the
// inbox's last sequence (which must be at least `after`).
::testing::AssertionResult InboxIsGapFree(
    dsr::v1::InboxService::Stub& inbox, const std::string& token, uint64_t after, uint64_t* last,
    const std::function<void(const dsr::v1::InboxEvent&)>& visit = nullptr);

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_DURABILITY_CHECKS_H_
