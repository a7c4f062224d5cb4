#ifndef DSR_BROKER_ACCESS_AUTHORIZATION_H_
#define DSR_BROKER_ACCESS_AUTHORIZATION_H_

// Who may call what (SPEC §5), as checks that return the status to send:
// UNAUTHENTICATED for a caller without a credential, PERMISSION_DENIED for an
// authenticated caller in the wrong role.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "broker/base/principal.h"

namespace dsr::broker {

// Admin only.
absl::Status RequireAdmin(const Principal& principal);

// Some actor, or the admin: the roles that may write to the register. Checked
// before the request is parsed, so that a caller in the wrong role learns
// that first, whatever the request holds.
absl::Status RequireAnyActorOrAdmin(const Principal& principal);

// The actor `actor_id` itself, or the admin.
absl::Status RequireActorOrAdmin(const Principal& principal, absl::string_view actor_id);

}  // namespace dsr::broker

#endif  // DSR_BROKER_ACCESS_AUTHORIZATION_H_
