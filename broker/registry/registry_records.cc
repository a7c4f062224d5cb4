#include "broker/registry/registry_records.h"

#include "broker/base/names.h"

namespace dsr::broker {

dsr::v1::Actor ActorFromRecord(const dsr::storage::v1::ActorRecord& record) {
  dsr::v1::Actor actor;
  actor.set_name(ActorName(record.actor_id()));
  actor.set_display_name(record.display_name());
  for (int role : record.roles()) actor.add_roles(static_cast<dsr::v1::Actor::Role>(role));
  actor.set_contact_email(record.contact_email());
  *actor.mutable_create_time() = record.create_time();
  return actor;
}

dsr::v1::Holding HoldingFromRecord(const dsr::storage::v1::HoldingRecord& record) {
  dsr::v1::Holding holding;
  holding.set_name(FormatHoldingName(record.actor_id(), record.holding_id()));
  holding.set_kind(static_cast<dsr::v1::Holding::Kind>(record.kind()));
  holding.set_title(record.title());
  holding.set_version(record.version());
  holding.set_description(record.description());
  holding.set_purposes(record.purposes());
  holding.set_legal_basis(static_cast<dsr::v1::Holding::LegalBasis>(record.legal_basis()));
  *holding.mutable_data_categories() = record.data_categories();
  holding.set_license(record.license());
  holding.set_retention(record.retention());
  *holding.mutable_external_ids() = record.external_ids();
  holding.set_state(static_cast<dsr::v1::Holding::State>(record.state()));
  *holding.mutable_create_time() = record.create_time();
  *holding.mutable_update_time() = record.update_time();
  return holding;
}

dsr::v1::Link LinkFromRecord(const dsr::storage::v1::LinkRecord& record) {
  dsr::v1::Link link;
  link.set_name(LinkName(record.link_id()));
  link.set_child(record.child());
  link.set_parent(record.parent());
  link.set_relation(static_cast<dsr::v1::Link::Relation>(record.relation()));
  *link.mutable_create_time() = record.create_time();
  link.set_state(LinkState(record));
  if (record.has_decide_time()) {
    *link.mutable_decide_time() = record.decide_time();
  } else if (link.state() == dsr::v1::Link::ACCEPTED) {
    *link.mutable_decide_time() = record.create_time();
  }
  return link;
}

dsr::v1::Link::State LinkState(const dsr::storage::v1::LinkRecord& record) {
  if (record.state() == dsr::v1::Link::STATE_UNSPECIFIED) return dsr::v1::Link::ACCEPTED;
  return static_cast<dsr::v1::Link::State>(record.state());
}

void CopyHoldingField(const dsr::v1::Holding& h, absl::string_view path,
                      dsr::storage::v1::HoldingRecord* record) {
  if (path == "title") record->set_title(h.title());
  if (path == "version") record->set_version(h.version());
  if (path == "description") record->set_description(h.description());
  if (path == "purposes") record->set_purposes(h.purposes());
  if (path == "legal_basis") record->set_legal_basis(h.legal_basis());
  if (path == "data_categories") *record->mutable_data_categories() = h.data_categories();
  if (path == "license") record->set_license(h.license());
  if (path == "retention") record->set_retention(h.retention());
  if (path == "external_ids") *record->mutable_external_ids() = h.external_ids();
}

bool HoldingFieldIsSet(const dsr::v1::Holding& h, absl::string_view path) {
  if (path == "title") return !h.title().empty();
  if (path == "version") return !h.version().empty();
  if (path == "description") return !h.description().empty();
  if (path == "purposes") return !h.purposes().empty();
  if (path == "legal_basis") return h.legal_basis() != 0;
  if (path == "data_categories") return !h.data_categories().empty();
  if (path == "license") return !h.license().empty();
  if (path == "retention") return !h.retention().empty();
  if (path == "external_ids") return !h.external_ids().empty();
  return false;
}

GraphHolding GraphHoldingFromRecord(const dsr::storage::v1::HoldingRecord& record) {
  return GraphHolding{FormatHoldingName(record.actor_id(), record.holding_id()), record.title(),
                      record.kind(), record.state()};
}

GraphLink GraphLinkFromRecord(const dsr::storage::v1::LinkRecord& record) {
  return GraphLink{record.link_id(), record.child(), record.parent(), record.relation(),
                   LinkState(record) == dsr::v1::Link::ACCEPTED};
}

}  // namespace dsr::broker
