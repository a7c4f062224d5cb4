#ifndef DSR_BROKER_PRINCIPAL_H_
#define DSR_BROKER_PRINCIPAL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dsr::broker {

// Who is calling, as established by the Authenticator from a credential. A
// value type; immutable.
class Principal {
 public:
  enum class Kind { kAnonymous, kAdmin, kActor };

  static Principal Anonymous() { return Principal(Kind::kAnonymous, ""); }
  static Principal Admin() { return Principal(Kind::kAdmin, ""); }
  static Principal Actor(absl::string_view actor_id) { return Principal(Kind::kActor, actor_id); }

  Kind kind() const { return kind_; }
  bool is_admin() const { return kind_ == Kind::kAdmin; }
  bool is_anonymous() const { return kind_ == Kind::kAnonymous; }
  // The actor's id for kActor; empty otherwise.
  const std::string& actor_id() const { return actor_id_; }

  // Whether this principal is the actor `actor_id`.
  bool IsActor(absl::string_view actor_id) const {
    return kind_ == Kind::kActor && actor_id_ == actor_id;
  }

  // A stable label for idempotency scopes and audit: "anonymous", "admin" or
  // "actors/{actor}". Contains no secret.
  std::string Label() const {
    switch (kind_) {
      case Kind::kAdmin:
        return "admin";
      case Kind::kActor:
        return "actors/" + actor_id_;
      case Kind::kAnonymous:
        break;
    }
    return "anonymous";
  }

 private:
  Principal(Kind kind, absl::string_view actor_id) : kind_(kind), actor_id_(actor_id) {}

  Kind kind_;
  std::string actor_id_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_PRINCIPAL_H_
