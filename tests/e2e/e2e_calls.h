#ifndef DSR_TESTS_E2E_E2E_CALLS_H_
#define DSR_TESTS_E2E_E2E_CALLS_H_

// What the end-to-end tests do over the API of a broker they started:
// contexts, the admin token, organisations and holdings.

#include <memory>
#include <string>

#include "dsr/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace dsr::testing {

// A call context with `token` as its bearer credential (none when empty)
// and a 10 s deadline.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "");

// The admin token the broker wrote into `data_dir` when it first started.
std::string ReadAdminToken(const std::string& data_dir);

// Registers the organisation `actor_id` (a dataset publisher) as the admin;
// `*token` gets its token.
grpc::Status CreateActor(dsr::v1::RegistryService::Stub& registry, const std::string& admin,
                         const std::string& actor_id, std::string* token);

// Creates the dataset `holding_id` of `actor_id` with its token; `*name`
// (when given) gets the holding's resource name.
grpc::Status CreateHolding(dsr::v1::RegistryService::Stub& registry, const std::string& token,
                           const std::string& actor_id, const std::string& holding_id,
                           std::string* name = nullptr);

}  // namespace dsr::testing

#endif  // DSR_TESTS_E2E_E2E_CALLS_H_
