// Registry: provenance links and lineage.

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/access/authorization.h"
#include "broker/base/names.h"
#include "broker/base/page_token.h"
#include "broker/base/paged_scan.h"
#include "broker/base/time_util.h"
#include "broker/base/tokens.h"
#include "broker/journal/idempotency.h"
#include "broker/registry/registry.h"
#include "broker/registry/registry_records.h"
#include "common/status_macros.h"
#include "storage/keys.h"

namespace dsr::broker {

using dsr::storage::v1::LinkRecord;
using storage::ColumnFamily;

namespace {

// Link ids carry 80 random bits: collisions are negligible, and one is
// refused by the existence check anyway.
constexpr int kLinkIdBits = 80;

dsr::v1::LineageDirection ToApiDirection(WalkDirection direction) {
  switch (direction) {
    case WalkDirection::kUpstream:
      return dsr::v1::UPSTREAM;
    case WalkDirection::kDownstream:
      return dsr::v1::DOWNSTREAM;
    case WalkDirection::kBoth:
      break;
  }
  return dsr::v1::LINEAGE_DIRECTION_UNSPECIFIED;
}

}  // namespace

absl::Status Registry::CreateLink(const Principal& principal,
                                  const dsr::v1::CreateLinkRequest& request, dsr::v1::Link* link) {
  const dsr::v1::Link& wanted = request.link();
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(HoldingName child, ParseHoldingName(wanted.child(), "link.child"));
  DSR_ASSIGN_OR_RETURN(HoldingName parent, ParseHoldingName(wanted.parent(), "link.parent"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, child.actor_id));
  if (wanted.relation() == dsr::v1::Link::RELATION_UNSPECIFIED ||
      !dsr::v1::Link::Relation_IsValid(wanted.relation())) {
    return absl::InvalidArgumentError("link.relation is required");
  }
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "CreateLink", request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (earlier.has_value()) {
    DSR_ASSIGN_OR_RETURN(std::string link_id, ParseLinkName(*earlier, "link"));
    LinkRecord record;
    absl::Status read = store_->Get(ColumnFamily::kLinks, storage::keys::Link(link_id), &record);
    // The broker keeps no copy of a deleted link to replay.
    if (absl::IsNotFound(read)) {
      return absl::NotFoundError("the link this request_id made has been deleted since");
    }
    DSR_RETURN_IF_ERROR(read);
    *link = LinkFromRecord(record);
    return absl::OkStatus();
  }
  if (!graph_.HasHolding(wanted.child())) return absl::NotFoundError("link.child not found");
  if (!graph_.HasHolding(wanted.parent())) return absl::NotFoundError("link.parent not found");
  if (graph_.FindLink(wanted.child(), wanted.parent()).has_value()) {
    return absl::AlreadyExistsError(
        "a link between this child and parent exists (perhaps proposed or rejected)");
  }
  if (graph_.WouldCloseCycle(wanted.child(), wanted.parent())) {
    return absl::FailedPreconditionError(
        "link would close a cycle: the parent is already made from the child");
  }
  if (!principal.is_admin() && LinksOf(child.actor_id) >= limits_.max_links_per_actor) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the child's owner has reached its quota of ", limits_.max_links_per_actor,
                     " links; delete links it no longer needs, or ask the broker's operator"));
  }

  const absl::Time now = mutation.now();
  // Consent: a claim that one's holding was made from another
  // organisation's data forwards that organisation's requests (personal
  // data) to the claimant, so it waits for the parent's owner. The admin
  // onboarding organisations speaks for both.
  const bool accepted = principal.is_admin() || child.actor_id == parent.actor_id;
  LinkRecord record;
  record.set_link_id(NewRandomId(kLinkIdBits));
  record.set_child(wanted.child());
  record.set_parent(wanted.parent());
  record.set_relation(wanted.relation());
  *record.mutable_create_time() = ToProtoTime(now);
  record.set_state(accepted ? dsr::v1::Link::ACCEPTED : dsr::v1::Link::PROPOSED);
  if (accepted) *record.mutable_decide_time() = record.create_time();
  const std::string key = storage::keys::Link(record.link_id());
  DSR_ASSIGN_OR_RETURN(bool taken, store_->Contains(ColumnFamily::kLinks, key));
  if (taken) return absl::AbortedError("link id collision; retry");

  storage::WriteBatch& batch = mutation.batch();
  batch.Put(ColumnFamily::kLinks, key, record);
  batch.PutEmpty(ColumnFamily::kActorLinks,
                 storage::keys::ActorLink(child.actor_id, record.link_id()));
  if (parent.actor_id != child.actor_id) {
    batch.PutEmpty(ColumnFamily::kActorLinks,
                   storage::keys::ActorLink(parent.actor_id, record.link_id()));
  }
  const std::string name = LinkName(record.link_id());
  mutation.RecordCall(name);
  InboxAppender& inbox = mutation.inbox();
  mutation.Audit("CreateLink", name);
  bool pending = false;
  if (accepted) {
    DSR_ASSIGN_OR_RETURN(
        pending, link_forwarding_->Forward(graph_, record.link_id(), record.parent(),
                                           record.child(), now, batch, inbox, &mutation.audit()));
  } else {
    DSR_RETURN_IF_ERROR(
        proposals_.Take(child.actor_id, "too many link proposals from this organisation today"));
    DSR_RETURN_IF_ERROR(inbox.Append(parent.actor_id, dsr::v1::InboxEvent::LINK_PROPOSED, name));
  }
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  graph_.AddLink(GraphLinkFromRecord(record));
  CountLink(child.actor_id, +1);
  if (pending && on_forwarding_pending_) on_forwarding_pending_();
  *link = LinkFromRecord(record);
  return absl::OkStatus();
}

absl::Status Registry::DecideLink(const Principal& principal, absl::string_view method,
                                  const google::protobuf::Message& request, const std::string& name,
                                  bool accept, dsr::v1::Link* link) {
  // The parent's owner is known only once the link is read.
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(std::string link_id, ParseLinkName(name, "name"));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call, IdempotentCall::Prepare(principal, method, request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  LinkRecord record;
  absl::Status read = store_->Get(ColumnFamily::kLinks, storage::keys::Link(link_id), &record);
  if (absl::IsNotFound(read)) return absl::NotFoundError("link not found");
  DSR_RETURN_IF_ERROR(read);
  DSR_ASSIGN_OR_RETURN(HoldingName parent, ParseHoldingName(record.parent(), "link.parent"));
  DSR_ASSIGN_OR_RETURN(HoldingName child, ParseHoldingName(record.child(), "link.child"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, parent.actor_id));
  if (earlier.has_value()) {
    *link = LinkFromRecord(record);
    return absl::OkStatus();
  }
  const dsr::v1::Link::State state = LinkState(record);
  if (state != dsr::v1::Link::PROPOSED) {
    return absl::FailedPreconditionError(
        state == dsr::v1::Link::ACCEPTED
            ? "the link is already accepted"
            : "the link was rejected; its child's owner may delete it and propose it again");
  }
  if (accept && graph_.WouldCloseCycle(record.child(), record.parent())) {
    return absl::FailedPreconditionError(
        "link would close a cycle: the parent is now made from the child");
  }

  const absl::Time now = mutation.now();
  record.set_state(accept ? dsr::v1::Link::ACCEPTED : dsr::v1::Link::REJECTED);
  *record.mutable_decide_time() = ToProtoTime(now);
  storage::WriteBatch& batch = mutation.batch();
  batch.Put(ColumnFamily::kLinks, storage::keys::Link(link_id), record);
  mutation.RecordCall(name);
  InboxAppender& inbox = mutation.inbox();
  DSR_RETURN_IF_ERROR(inbox.Append(
      child.actor_id,
      accept ? dsr::v1::InboxEvent::LINK_ACCEPTED : dsr::v1::InboxEvent::LINK_REJECTED, name));
  mutation.Audit(std::string(method), name);
  bool pending = false;
  if (accept) {
    DSR_ASSIGN_OR_RETURN(
        pending, link_forwarding_->Forward(graph_, link_id, record.parent(), record.child(), now,
                                           batch, inbox, &mutation.audit()));
  }
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  if (accept) graph_.AcceptLink(link_id);
  if (pending && on_forwarding_pending_) on_forwarding_pending_();
  *link = LinkFromRecord(record);
  return absl::OkStatus();
}

absl::Status Registry::AcceptLink(const Principal& principal,
                                  const dsr::v1::AcceptLinkRequest& request, dsr::v1::Link* link) {
  return DecideLink(principal, "AcceptLink", request, request.name(), /*accept=*/true, link);
}

absl::Status Registry::RejectLink(const Principal& principal,
                                  const dsr::v1::RejectLinkRequest& request, dsr::v1::Link* link) {
  return DecideLink(principal, "RejectLink", request, request.name(), /*accept=*/false, link);
}

absl::Status Registry::DeleteLink(const Principal& principal,
                                  const dsr::v1::DeleteLinkRequest& request) {
  // The owner is known only once the link is read; a caller who is neither
  // an actor nor the admin could not be it, whatever the link (SPEC §5).
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(std::string link_id, ParseLinkName(request.name(), "name"));
  DSR_ASSIGN_OR_RETURN(IdempotentCall call,
                       IdempotentCall::Prepare(principal, "DeleteLink", request));

  Journal::Mutation mutation(journal_, &call);
  DSR_ASSIGN_OR_RETURN(std::optional<std::string> earlier, mutation.Earlier());
  if (earlier.has_value()) return absl::OkStatus();
  LinkRecord record;
  absl::Status read = store_->Get(ColumnFamily::kLinks, storage::keys::Link(link_id), &record);
  if (absl::IsNotFound(read)) return absl::NotFoundError("link not found");
  DSR_RETURN_IF_ERROR(read);
  DSR_ASSIGN_OR_RETURN(HoldingName child, ParseHoldingName(record.child(), "link.child"));
  DSR_ASSIGN_OR_RETURN(HoldingName parent, ParseHoldingName(record.parent(), "link.parent"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, child.actor_id));
  storage::WriteBatch& batch = mutation.batch();
  batch.Delete(ColumnFamily::kLinks, storage::keys::Link(link_id));
  batch.Delete(ColumnFamily::kActorLinks, storage::keys::ActorLink(child.actor_id, link_id));
  batch.Delete(ColumnFamily::kActorLinks, storage::keys::ActorLink(parent.actor_id, link_id));
  batch.Delete(ColumnFamily::kForwarding, storage::keys::Link(link_id));
  mutation.RecordCall(request.name());
  mutation.Audit("DeleteLink", request.name());
  DSR_RETURN_IF_ERROR(mutation.Commit(principal));
  graph_.RemoveLink(link_id);
  CountLink(child.actor_id, -1);
  return absl::OkStatus();
}

absl::Status Registry::ListLinks(const Principal& principal,
                                 const dsr::v1::ListLinksRequest& request,
                                 dsr::v1::ListLinksResponse* response) const {
  DSR_RETURN_IF_ERROR(RequireAnyActorOrAdmin(principal));
  DSR_ASSIGN_OR_RETURN(std::string actor_id, ParseActorName(request.actor(), "actor"));
  DSR_RETURN_IF_ERROR(RequireActorOrAdmin(principal, actor_id));
  if (!dsr::v1::Link::State_IsValid(request.state())) {
    return absl::InvalidArgumentError("state has an unknown value");
  }
  PageQuery query;
  query.family = ColumnFamily::kActorLinks;
  query.prefix = storage::keys::ActorLinksOf(actor_id);
  query.fingerprint =
      QueryFingerprint("ListLinks", absl::StrCat(actor_id, "/", static_cast<int>(request.state())));
  query.page_token = request.page_token();
  DSR_ASSIGN_OR_RETURN(query.page_size, ResolvePageSize(request.page_size(), limits_));
  query.max_reply_bytes = limits_.max_reply_bytes;
  DSR_ASSIGN_OR_RETURN(
      std::string next,
      ScanPage(*store_, query,
               [&](absl::string_view key, absl::string_view) -> absl::StatusOr<size_t> {
                 DSR_ASSIGN_OR_RETURN(storage::keys::ActorLinkKey entry,
                                      storage::keys::ParseActorLink(key));
                 LinkRecord record;
                 absl::Status read =
                     store_->Get(ColumnFamily::kLinks, storage::keys::Link(entry.link_id), &record);
                 if (absl::IsNotFound(read)) return size_t{0};  // deleted since the index was read
                 DSR_RETURN_IF_ERROR(read);
                 if (request.state() != dsr::v1::Link::STATE_UNSPECIFIED &&
                     LinkState(record) != request.state()) {
                   return size_t{0};
                 }
                 dsr::v1::Link* link = response->add_links();
                 *link = LinkFromRecord(record);
                 return ReplyBytes(*link);
               }));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status Registry::GetLineage(const dsr::v1::GetLineageRequest& request,
                                  dsr::v1::GetLineageResponse* response) const {
  DSR_RETURN_IF_ERROR(ParseHoldingName(request.holding(), "holding").status());
  if (request.max_depth() < 0 || request.max_depth() > limits_.max_lineage_depth) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_depth must be between 0 and ", limits_.max_lineage_depth));
  }
  const int max_depth = request.max_depth() == 0 ? limits_.max_lineage_depth : request.max_depth();
  WalkDirection direction;
  switch (request.direction()) {
    case dsr::v1::LINEAGE_DIRECTION_UNSPECIFIED:
    case dsr::v1::DOWNSTREAM:
      direction = WalkDirection::kDownstream;
      break;
    case dsr::v1::UPSTREAM:
      direction = WalkDirection::kUpstream;
      break;
    case dsr::v1::BOTH:
      direction = WalkDirection::kBoth;
      break;
    default:
      return absl::InvalidArgumentError("direction has an unknown value");
  }
  DSR_ASSIGN_OR_RETURN(
      const int page_size,
      ResolvePageSize(request.page_size() == 0 ? limits_.max_page_size : request.page_size(),
                      limits_));
  const std::string query = QueryFingerprint(
      "GetLineage",
      absl::StrCat(request.holding(), "/", static_cast<int>(direction), "/", max_depth));
  // The token holds where the next page starts: node `first`, and how much
  // of it an earlier page sent already (0 nothing, 1 the node, 1 + k the node
  // and k of its links: a node with a great many links may span pages).
  DSR_ASSIGN_OR_RETURN(std::string after, DecodePageToken(request.page_token(), query));
  size_t first = 0, done = 0;
  if (!after.empty()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(after, ',');
    if (!absl::SimpleAtoi(parts.first, &first) || !absl::SimpleAtoi(parts.second, &done)) {
      return absl::InvalidArgumentError("page_token is malformed");
    }
  }
  std::optional<Lineage> lineage =
      graph_.Walk(request.holding(), direction, max_depth,
                  static_cast<size_t>(std::max(1, limits_.max_lineage_holdings)));
  if (!lineage.has_value()) return absl::NotFoundError("holding not found");
  const std::vector<Lineage::Node>& nodes = lineage->nodes;
  // Each link goes with whichever of its ends comes later in node order.
  absl::flat_hash_map<absl::string_view, size_t> position;
  for (size_t i = 0; i < nodes.size(); ++i) position.emplace(nodes[i].holding.name, i);
  std::vector<std::vector<const GraphLink*>> links_at(nodes.size());
  for (const GraphLink& link : lineage->links) {
    links_at[std::max(position.at(link.child), position.at(link.parent))].push_back(&link);
  }
  // Nodes from `first` with their links, as many as the page size and the
  // reply's budget allow (one item at least).
  size_t bytes = 0;
  int taken = 0;
  bool any = false;
  const auto full = [&] { return any && bytes >= limits_.max_reply_bytes; };
  size_t i = first;
  for (; i < nodes.size(); ++i, done = 0) {
    if (done == 0) {
      if (taken == page_size || full()) break;
      const Lineage::Node& node = nodes[i];
      dsr::v1::LineageNode* out = response->add_nodes();
      out->set_holding(node.holding.name);
      out->set_depth(node.depth);
      out->set_direction(ToApiDirection(node.direction));
      out->set_title(node.holding.title);
      out->set_kind(static_cast<dsr::v1::Holding::Kind>(node.holding.kind));
      out->set_state(static_cast<dsr::v1::Holding::State>(node.holding.state));
      bytes += ReplyBytes(*out);
      ++taken;
      any = true;
      done = 1;
    }
    for (; done < 1 + links_at[i].size() && !full(); ++done) {
      const GraphLink& link = *links_at[i][done - 1];
      dsr::v1::LineageEdge* out = response->add_edges();
      out->set_link(LinkName(link.link_id));
      out->set_child(link.child);
      out->set_parent(link.parent);
      out->set_relation(static_cast<dsr::v1::Link::Relation>(link.relation));
      bytes += ReplyBytes(*out);
      any = true;
    }
    if (done < 1 + links_at[i].size()) break;  // full within this node's links
  }
  if (i < nodes.size()) {
    response->set_next_page_token(EncodePageToken(absl::StrCat(i, ",", done), query));
  }
  response->set_truncated(lineage->truncated);
  return absl::OkStatus();
}

}  // namespace dsr::broker
