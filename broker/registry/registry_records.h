#ifndef DSR_BROKER_REGISTRY_REGISTRY_RECORDS_H_
#define DSR_BROKER_REGISTRY_REGISTRY_RECORDS_H_

// Conversions between the registry's API messages (dsr.v1) and its storage
// records (dsr.storage.v1). Pure functions.

#include "absl/strings/string_view.h"
#include "broker/registry/graph.h"
#include "dsr/storage/v1/registry_records.pb.h"
#include "dsr/v1/actor.pb.h"
#include "dsr/v1/holding.pb.h"
#include "dsr/v1/link.pb.h"

namespace dsr::broker {

dsr::v1::Actor ActorFromRecord(const dsr::storage::v1::ActorRecord& record);
dsr::v1::Holding HoldingFromRecord(const dsr::storage::v1::HoldingRecord& record);
dsr::v1::Link LinkFromRecord(const dsr::storage::v1::LinkRecord& record);
// The link's state; records from before links needed consent are ACCEPTED.
dsr::v1::Link::State LinkState(const dsr::storage::v1::LinkRecord& record);

// Copies one caller-settable field, named by its update_mask path (see
// MutableHoldingPaths), from `holding` into `record`. An unknown path copies
// nothing.
void CopyHoldingField(const dsr::v1::Holding& holding, absl::string_view path,
                      dsr::storage::v1::HoldingRecord* record);

// Whether the field named by `path` has a non-default value in `holding`.
bool HoldingFieldIsSet(const dsr::v1::Holding& holding, absl::string_view path);

GraphHolding GraphHoldingFromRecord(const dsr::storage::v1::HoldingRecord& record);
GraphLink GraphLinkFromRecord(const dsr::storage::v1::LinkRecord& record);

}  // namespace dsr::broker

#endif  // DSR_BROKER_REGISTRY_REGISTRY_RECORDS_H_
