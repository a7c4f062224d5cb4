#ifndef DSR_TESTS_SUPPORT_PROVENANCE_DATA_H_
#define DSR_TESTS_SUPPORT_PROVENANCE_DATA_H_

// The real lineage graph in shared/data/provenance/, read from its TSV files
// and mapped onto the registry's resources the way the issue asks: an actor
// per holder string (the first of several co-creators owns the holding), one
// unknown-holder actor for nodes without a holder, a holding per node with the
// node id in external_ids, a link per edge.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dsr/v1/holding.pb.h"
#include "dsr/v1/link.pb.h"

namespace dsr::testing {

// The directory of the TSV files (set by the build).
std::string ProvenanceDir();

inline constexpr char kUnknownHolderActor[] = "unknown-holder";

struct PlannedActor {
  std::string actor_id;
  std::string display_name;
};

struct PlannedHolding {
  std::string node_id;  // as in nodes.tsv; also the holding's external id
  std::string actor_id;
  std::string holding_id;
  dsr::v1::Holding::Kind kind;
  std::string title;
  std::string license;
  std::string name() const;  // the resource name
};

struct PlannedLink {
  int child;   // index into holdings
  int parent;  // index into holdings
  dsr::v1::Link::Relation relation;
};

struct ProvenancePlan {
  std::vector<PlannedActor> actors;
  std::vector<PlannedHolding> holdings;
  std::vector<PlannedLink> links;
  // Index into holdings by node id.
  int HoldingOf(const std::string& node_id) const;
};

// A slug `[a-z][a-z0-9-]{2,62}` made from `raw`: lowercase letters and
// digits kept, runs of anything else turned into one dash; a short hash of
// `raw` is appended when the result would be too short or too long.
std::string Slug(const std::string& raw);

// Reads nodes.tsv and graph.tsv from `dir`. INVALID_ARGUMENT naming the file
// and line if a row is malformed or an edge names an unknown node.
absl::StatusOr<ProvenancePlan> LoadProvenancePlan(const std::string& dir);

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_PROVENANCE_DATA_H_
