#include "client/import_plan.h"

#include <openssl/sha.h>

#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dsr::client {
namespace {

constexpr char kNodesHeader[] = "id\tkind\tholder_org";
constexpr char kEdgesHeader[] = "child_id\tchild_kind\tchild_holder_org\trelation\tparent_id";

struct Row {
  int line;
  std::vector<std::string> cells;
};

// The rows of a TSV file with `columns` columns; rows of another width go to
// `problems`. The header must start with `header`.
absl::StatusOr<std::vector<Row>> ReadTsv(const std::string& path, const std::string& header,
                                         size_t columns, std::vector<ImportProblem>* problems) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<Row> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      if (line.rfind(header, 0) != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, " does not start with the header ", header, "..."));
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (cells.size() != columns) {
      problems->push_back(
          {path, number, absl::StrCat("has ", cells.size(), " columns, want ", columns)});
      continue;
    }
    rows.push_back({number, std::move(cells)});
  }
  return rows;
}

bool MapRelation(const std::string& relation, dsr::v1::Link::Relation* out) {
  static const auto* map = new absl::flat_hash_map<std::string, dsr::v1::Link::Relation>{
      {"trained_on", dsr::v1::Link::TRAINED_ON},
      {"compiled_from", dsr::v1::Link::DERIVED},
      {"derived_from", dsr::v1::Link::DERIVED},
      {"fine_tuned_from", dsr::v1::Link::FINE_TUNED_FROM},
      {"generated_by", dsr::v1::Link::GENERATED_BY},
      {"subset_of", dsr::v1::Link::SUBSET},
      {"copy_of", dsr::v1::Link::COPY},
  };
  auto it = map->find(relation);
  if (it == map->end()) return false;
  *out = it->second;
  return true;
}

std::string ShortHash(const std::string& raw) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 4));
}

}  // namespace

std::string PlannedHolding::name() const {
  return absl::StrCat("actors/", actor_id, "/holdings/", holding_id);
}

int ImportPlan::HoldingOf(const std::string& node_id) const {
  for (size_t i = 0; i < holdings.size(); ++i) {
    if (holdings[i].node_id == node_id) return static_cast<int>(i);
  }
  return -1;
}

std::string Slug(const std::string& raw) {
  std::string slug;
  for (char c : absl::AsciiStrToLower(raw)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      slug.push_back(c);
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty() || slug[0] < 'a' || slug[0] > 'z') slug.insert(0, "x-");
  const std::string hash = ShortHash(raw);
  if (slug.size() < 3) slug = absl::StrCat(slug, "-", hash);
  if (slug.size() > 63) {
    slug.resize(63 - 9);
    while (slug.back() == '-') slug.pop_back();
    slug = absl::StrCat(slug, "-", hash);
  }
  return slug;
}

absl::StatusOr<ImportPlan> PlanImport(const std::string& nodes_path,
                                      const std::string& edges_path) {
  ImportPlan plan;
  plan.nodes_file = nodes_path;
  plan.edges_file = edges_path;
  absl::StatusOr<std::vector<Row>> nodes = ReadTsv(nodes_path, kNodesHeader, 9, &plan.problems);
  if (!nodes.ok()) return nodes.status();
  absl::StatusOr<std::vector<Row>> edges = ReadTsv(edges_path, kEdgesHeader, 8, &plan.problems);
  if (!edges.ok()) return edges.status();

  absl::flat_hash_map<std::string, std::string> actor_of_holder;  // raw holder -> id
  absl::flat_hash_set<std::string> actor_ids;
  absl::flat_hash_set<std::string> holding_names;
  absl::flat_hash_map<std::string, int> holding_of_node;
  for (const Row& row : *nodes) {
    const std::vector<std::string>& cells = row.cells;
    dsr::v1::Holding::Kind kind;
    if (cells[1] == "dataset") {
      kind = dsr::v1::Holding::DATASET;
    } else if (cells[1] == "model") {
      kind = dsr::v1::Holding::MODEL;
    } else {
      plan.problems.push_back({nodes_path, row.line, "kind must be dataset or model"});
      continue;
    }
    if (cells[0].empty() || holding_of_node.contains(cells[0])) {
      plan.problems.push_back({nodes_path, row.line, "has an empty or repeated id"});
      continue;
    }
    // Every holder string becomes an actor; the first one owns the holding.
    std::vector<std::string> holders;
    for (absl::string_view h : absl::StrSplit(cells[2], ';')) {
      h = absl::StripAsciiWhitespace(h);
      if (!h.empty()) holders.emplace_back(h);
    }
    for (const std::string& holder : holders) {
      if (actor_of_holder.contains(holder)) continue;
      std::string id = Slug(holder);
      // Different raw strings may slug alike ("Meta AI", "meta-ai").
      if (actor_ids.contains(id)) id = Slug(absl::StrCat(holder, "#", row.line));
      actor_ids.insert(id);
      actor_of_holder[holder] = id;
      plan.actors.push_back({id, holder.substr(0, 256)});
    }
    std::string actor_id;
    if (holders.empty()) {
      actor_id = kUnknownHolderActor;
      if (actor_ids.insert(actor_id).second) plan.actors.push_back({actor_id, "Unknown holder"});
    } else {
      actor_id = actor_of_holder[holders[0]];
    }
    PlannedHolding holding;
    holding.node_id = cells[0];
    holding.actor_id = actor_id;
    holding.holding_id = Slug(cells[0]);
    if (holding_names.contains(holding.name())) {
      holding.holding_id = Slug(absl::StrCat(cells[0], "#", row.line));
    }
    holding_names.insert(holding.name());
    holding.kind = kind;
    holding.title = (cells[4].empty() ? cells[0] : cells[4]).substr(0, 256);
    holding.license = cells[3].substr(0, 256);
    holding.line = row.line;
    holding_of_node[holding.node_id] = static_cast<int>(plan.holdings.size());
    plan.holdings.push_back(std::move(holding));
  }
  for (const Row& row : *edges) {
    const std::vector<std::string>& cells = row.cells;
    auto child = holding_of_node.find(cells[0]);
    auto parent = holding_of_node.find(cells[4]);
    if (child == holding_of_node.end() || parent == holding_of_node.end()) {
      plan.problems.push_back({edges_path, row.line, "names a node that the nodes file lacks"});
      continue;
    }
    PlannedLink link;
    if (!MapRelation(cells[3], &link.relation)) {
      plan.problems.push_back({edges_path, row.line, "has an unknown relation"});
      continue;
    }
    link.child = child->second;
    link.parent = parent->second;
    link.line = row.line;
    plan.links.push_back(link);
  }
  return plan;
}

}  // namespace dsr::client
