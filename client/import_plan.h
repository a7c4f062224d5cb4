#ifndef DSR_CLIENT_IMPORT_PLAN_H_
#define DSR_CLIENT_IMPORT_PLAN_H_

// Bulk onboarding from the TSV format of a provenance graph (nodes.tsv,
// graph.tsv; see data/provenance/README.md), planned onto the
// registry's resources: an actor per holder string (the first of several
// co-creators owns the holding), one "unknown-holder" actor for nodes with
// no holder, a holding per node with the node id in external_ids, a link per
// edge. Ids are slugs made from the names, stable for the same files.
// Pure functions over the files.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dsr/v1/holding.pb.h"
#include "dsr/v1/link.pb.h"

namespace dsr::client {

inline constexpr char kUnknownHolderActor[] = "unknown-holder";

struct PlannedActor {
  std::string actor_id;
  std::string display_name;
};

struct PlannedHolding {
  std::string node_id;  // as in nodes.tsv; also the holding's external id
  std::string actor_id;
  std::string holding_id;
  dsr::v1::Holding::Kind kind = dsr::v1::Holding::KIND_UNSPECIFIED;
  std::string title;
  std::string license;
  int line = 0;              // in the nodes file
  std::string name() const;  // the resource name
};

struct PlannedLink {
  int child = 0;   // index into holdings
  int parent = 0;  // index into holdings
  dsr::v1::Link::Relation relation = dsr::v1::Link::RELATION_UNSPECIFIED;
  int line = 0;  // in the edges file
};

// A row that could not be used, and why.
struct ImportProblem {
  std::string file;
  int line = 0;
  std::string problem;
};

struct ImportPlan {
  std::string nodes_file;
  std::string edges_file;
  std::vector<PlannedActor> actors;
  std::vector<PlannedHolding> holdings;
  std::vector<PlannedLink> links;
  std::vector<ImportProblem> problems;
  // Index into holdings by node id; -1 if none.
  int HoldingOf(const std::string& node_id) const;
};

// A slug `[a-z][a-z0-9-]{2,62}` made from `raw`: lowercase letters and
// digits kept, runs of anything else turned into one dash; a short hash of
// `raw` is appended when the result would be too short or too long.
std::string Slug(const std::string& raw);

// Reads the two files. Rows that are malformed, or edges naming an unknown
// node or relation, go to `problems` with their line number; the rest is
// planned. NOT_FOUND if a file cannot be read; INVALID_ARGUMENT if its header
// is not the expected one.
absl::StatusOr<ImportPlan> PlanImport(const std::string& nodes_path, const std::string& edges_path);

}  // namespace dsr::client

#endif  // DSR_CLIENT_IMPORT_PLAN_H_
