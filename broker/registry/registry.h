#ifndef DSR_BROKER_REGISTRY_REGISTRY_H_
#define DSR_BROKER_REGISTRY_REGISTRY_H_

// The registry: actors, their holdings and the provenance links between
// holdings (SPEC §2, RegistryService in §5). gRPC-free domain logic: each
// method takes the authenticated principal and the API request, checks it,
// and returns an absl::Status; the service layer only maps that status.
//
// Thread-safe. Reads run concurrently. Each write is one Journal::Mutation,
// whose lock is held across its checks, its commit and the in-memory graph
// update, so that checks (duplicates, cycles, idempotency) see every earlier
// write.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "broker/access/rate_limiter.h"
#include "broker/base/clock.h"
#include "broker/base/limits.h"
#include "broker/base/principal.h"
#include "broker/journal/inbox_log.h"
#include "broker/journal/journal.h"
#include "broker/registry/graph.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/v1/registry_service.pb.h"
#include "storage/store.h"

namespace dsr::broker {

// What accepting a link does to the requests already on its parent (late
// links, SPEC §3). The registry knows nothing of requests: the layer above
// it implements this (requests/late_links.h, NewLinkForwarding).
class LinkForwarding {
 public:
  virtual ~LinkForwarding() = default;
  // Adds to `batch`, `inbox` and `audit` the first bounded step of
  // forwarding the requests on `parent` to `child` and its descendants over
  // the accepted link `link_id`, and a record of what is left. Returns
  // whether some is left. `graph` need not hold the link yet. REQUIRES: within a Journal::Mutation.
  virtual absl::StatusOr<bool> Forward(const ProvenanceGraph& graph, const std::string& link_id,
                                       const std::string& parent, const std::string& child,
                                       absl::Time now, storage::WriteBatch& batch,
                                       InboxAppender& inbox,
                                       std::vector<AuditEntry>* audit) const = 0;
};

struct RegistryOptions {
  // REQUIRED. Must outlive the registry.
  storage::Store* store = nullptr;
  // REQUIRED. Must outlive the registry.
  const Clock* clock = nullptr;
  // REQUIRED. Commits every mutation with its audit event. Must outlive the
  // registry.
  Journal* journal = nullptr;
  // REQUIRED. The actors' inboxes, told of tasks a late link makes. Must
  // outlive the registry.
  InboxLog* inbox = nullptr;
  Limits limits;
  // REQUIRED. Forwards standing requests over an accepted link, in the
  // accepting commit. Must outlive the registry.
  const LinkForwarding* link_forwarding = nullptr;
  // Optional: called (after the commit, under no lock of the registry's)
  // when accepting a link left forwarding to do (late_links.h), so that a
  // LateLinkForwarder goes on with it.
  std::function<void()> on_forwarding_pending;
  // Optional: called after an actor's token was rotated (the old one is dead
  // from then on), so that what that token opened (inbox streams) is closed.
  std::function<void(const std::string& actor_id)> on_token_rotated;
};

class Registry {
 public:
  // Loads the provenance graph from the store. DATA_LOSS if a stored link
  // names a holding that is not stored.
  static absl::StatusOr<std::unique_ptr<Registry>> Create(const RegistryOptions& options);

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Actors. CreateActor and RotateActorToken: admin only.
  absl::Status CreateActor(const Principal& principal, const dsr::v1::CreateActorRequest& request,
                           dsr::v1::CreateActorResponse* response);
  absl::Status GetActor(const dsr::v1::GetActorRequest& request, dsr::v1::Actor* actor) const;
  absl::Status ListActors(const dsr::v1::ListActorsRequest& request,
                          dsr::v1::ListActorsResponse* response) const;
  absl::Status RotateActorToken(const Principal& principal,
                                const dsr::v1::RotateActorTokenRequest& request,
                                dsr::v1::RotateActorTokenResponse* response);

  // Holdings. Writes: the owning actor or admin.
  absl::Status CreateHolding(const Principal& principal,
                             const dsr::v1::CreateHoldingRequest& request,
                             dsr::v1::Holding* holding);
  absl::Status GetHolding(const dsr::v1::GetHoldingRequest& request,
                          dsr::v1::Holding* holding) const;
  absl::Status ListHoldings(const dsr::v1::ListHoldingsRequest& request,
                            dsr::v1::ListHoldingsResponse* response) const;
  absl::Status UpdateHolding(const Principal& principal,
                             const dsr::v1::UpdateHoldingRequest& request,
                             dsr::v1::Holding* holding);
  absl::Status RetireHolding(const Principal& principal,
                             const dsr::v1::RetireHoldingRequest& request,
                             dsr::v1::Holding* holding);

  // Links. CreateLink and DeleteLink: the child holding's owner or admin.
  // A link across two organisations is PROPOSED until the parent's owner
  // (or admin) accepts it with AcceptLink; one within an organisation, or
  // made by the admin, is ACCEPTED at once. Accepting forwards the parent's
  // standing requests to the child (late_links.h) in the same commit.
  absl::Status CreateLink(const Principal& principal, const dsr::v1::CreateLinkRequest& request,
                          dsr::v1::Link* link);
  absl::Status DeleteLink(const Principal& principal, const dsr::v1::DeleteLinkRequest& request);
  absl::Status AcceptLink(const Principal& principal, const dsr::v1::AcceptLinkRequest& request,
                          dsr::v1::Link* link);
  absl::Status RejectLink(const Principal& principal, const dsr::v1::RejectLinkRequest& request,
                          dsr::v1::Link* link);
  // The links touching an actor's holdings: that actor or admin.
  absl::Status ListLinks(const Principal& principal, const dsr::v1::ListLinksRequest& request,
                         dsr::v1::ListLinksResponse* response) const;
  absl::Status GetLineage(const dsr::v1::GetLineageRequest& request,
                          dsr::v1::GetLineageResponse* response) const;

  // The in-memory provenance graph, for routing.
  const ProvenanceGraph& graph() const { return graph_; }

 private:
  explicit Registry(const RegistryOptions& options);
  absl::Status LoadGraph();

  // Reads a stored record; NOT_FOUND names `what` (a resource kind, never a
  // caller's value).
  absl::Status ReadActor(absl::string_view actor_id, dsr::storage::v1::ActorRecord* record) const;
  absl::Status ReadHolding(absl::string_view actor_id, absl::string_view holding_id,
                           dsr::storage::v1::HoldingRecord* record) const;
  // The reply to a replayed holding write: the holding `name` as it is now.
  absl::Status ReplayHolding(absl::string_view name, dsr::v1::Holding* holding) const;
  // AcceptLink and RejectLink.
  absl::Status DecideLink(const Principal& principal, absl::string_view method,
                          const google::protobuf::Message& request, const std::string& name,
                          bool accept, dsr::v1::Link* link);
  // ALREADY_EXISTS naming the field if one of `record`'s external ids that
  // `before` (null for a new holding) lacks is claimed by another actor's
  // holding. Actors' writes only: the admin settles disputes, and may give
  // one id to several organisations' holdings. REQUIRES: within a Journal::Mutation.
  absl::Status CheckExternalIdClaims(const dsr::storage::v1::HoldingRecord* before,
                                     const dsr::storage::v1::HoldingRecord& record) const;

  // Quotas (Limits::max_holdings_per_actor, max_links_per_actor): counts
  // per actor of its holdings and of the links it declared (as the child's
  // owner), rebuilt at start and kept under the journal's mutation lock.
  int HoldingsOf(const std::string& actor_id) const ABSL_LOCKS_EXCLUDED(counts_mu_);
  int LinksOf(const std::string& actor_id) const ABSL_LOCKS_EXCLUDED(counts_mu_);
  void CountHolding(const std::string& actor_id) ABSL_LOCKS_EXCLUDED(counts_mu_);
  void CountLink(const std::string& actor_id, int delta) ABSL_LOCKS_EXCLUDED(counts_mu_);

  storage::Store* const store_;
  Journal* const journal_;
  InboxLog* const inbox_;
  const Limits limits_;
  const LinkForwarding* const link_forwarding_;
  const std::function<void()> on_forwarding_pending_;
  const std::function<void(const std::string&)> on_token_rotated_;
  ProvenanceGraph graph_;
  mutable absl::Mutex counts_mu_;
  absl::flat_hash_map<std::string, int> holdings_per_actor_ ABSL_GUARDED_BY(counts_mu_);
  absl::flat_hash_map<std::string, int> links_per_actor_ ABSL_GUARDED_BY(counts_mu_);
  // Proposals to other organisations per proposing actor
  // (Limits::max_link_proposals_per_day): each one is an event in another's
  // inbox, which DeleteLink does not take back, so the quota of links alone
  // would not bound them.
  RateLimiter proposals_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_REGISTRY_REGISTRY_H_
