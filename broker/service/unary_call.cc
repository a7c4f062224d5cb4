#include "broker/service/unary_call.h"

#include <string_view>

#include "broker/service/status_conversion.h"

namespace dsr::broker {

absl::StatusOr<Principal> UnaryCalls::Authenticate(
    const grpc::CallbackServerContext& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return authenticator_->AuthenticateHeader(nullptr);
  const absl::string_view value(it->second.data(), it->second.size());
  return authenticator_->AuthenticateHeader(&value);
}

grpc::Status UnaryCalls::ToGrpc(const absl::Status& status) { return ToGrpcStatus(status); }

}  // namespace dsr::broker
