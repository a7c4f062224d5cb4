#include "broker/access/authorization.h"

namespace dsr::broker {

absl::Status RequireAdmin(const Principal& principal) {
  if (principal.is_admin()) return absl::OkStatus();
  if (principal.is_anonymous())
    return absl::UnauthenticatedError("this method needs the admin token");
  return absl::PermissionDeniedError("this method is for the broker's administrator");
}

absl::Status RequireAnyActorOrAdmin(const Principal& principal) {
  if (principal.is_admin() || principal.kind() == Principal::Kind::kActor) {
    return absl::OkStatus();
  }
  if (principal.is_anonymous()) {
    return absl::UnauthenticatedError("this method needs the owning actor's token");
  }
  return absl::PermissionDeniedError("only the owning actor or the administrator may do this");
}

absl::Status RequireActorOrAdmin(const Principal& principal, absl::string_view actor_id) {
  if (principal.is_admin() || principal.IsActor(actor_id)) return absl::OkStatus();
  if (principal.is_anonymous()) {
    return absl::UnauthenticatedError("this method needs the owning actor's token");
  }
  return absl::PermissionDeniedError("only the owning actor or the administrator may do this");
}

}  // namespace dsr::broker
