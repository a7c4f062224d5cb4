#ifndef DSR_BROKER_BASE_PRINCIPAL_H_
#define DSR_BROKER_BASE_PRINCIPAL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dsr::broker {

// Who is calling, as established by the Authenticator from a credential. A
// value type; immutable.
class Principal {
 public:
  // kBroker is the broker itself, acting on its own (deadline sweeps); no
  // credential maps to it.
  enum class Kind { kAnonymous, kAdmin, kActor, kReceipt, kBroker };

  static Principal Anonymous() { return Principal(Kind::kAnonymous, ""); }
  static Principal Admin() { return Principal(Kind::kAdmin, ""); }
  static Principal Broker() { return Principal(Kind::kBroker, ""); }
  static Principal Actor(absl::string_view actor_id) { return Principal(Kind::kActor, actor_id); }
  // The holder of the receipt token of request `request_id`.
  static Principal Receipt(absl::string_view request_id) {
    return Principal(Kind::kReceipt, request_id);
  }

  Kind kind() const { return kind_; }
  bool is_admin() const { return kind_ == Kind::kAdmin; }
  bool is_anonymous() const { return kind_ == Kind::kAnonymous; }
  // The actor's id for kActor; empty otherwise.
  const std::string& actor_id() const { return kind_ == Kind::kActor ? id_ : Empty(); }

  // Where the call came from ("ipv4:192.0.2.1"), for per-client limits;
  // empty when unknown. Not part of the identity.
  const std::string& client_address() const { return client_address_; }
  Principal WithClientAddress(absl::string_view address) const {
    Principal copy = *this;
    copy.client_address_ = std::string(address);
    return copy;
  }

  // Whether this principal is the actor `actor_id`.
  bool IsActor(absl::string_view actor_id) const {
    return kind_ == Kind::kActor && id_ == actor_id;
  }
  // Whether this principal holds the receipt of request `request_id`.
  bool HoldsReceipt(absl::string_view request_id) const {
    return kind_ == Kind::kReceipt && id_ == request_id;
  }

  // A stable label for idempotency scopes and audit: "anonymous", "admin",
  // "actors/{actor}" or "receipt:requests/{request}". Contains no secret and
  // no personal data.
  std::string Label() const {
    switch (kind_) {
      case Kind::kAdmin:
        return "admin";
      case Kind::kActor:
        return "actors/" + id_;
      case Kind::kReceipt:
        return "receipt:requests/" + id_;
      case Kind::kBroker:
        return "broker";
      case Kind::kAnonymous:
        break;
    }
    return "anonymous";
  }

 private:
  Principal(Kind kind, absl::string_view id) : kind_(kind), id_(id) {}
  static const std::string& Empty() {
    static const std::string* empty = new std::string();
    return *empty;
  }

  Kind kind_;
  // The actor id (kActor) or the request id (kReceipt).
  std::string id_;
  std::string client_address_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_BASE_PRINCIPAL_H_
