#include "tests/support/provenance_data.h"

#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/names.h"
#include "broker/tokens.h"

namespace dsr::testing {
namespace {

absl::Status BadRow(const std::string& file, int line, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ": ", problem));
}

absl::StatusOr<std::vector<std::vector<std::string>>> ReadTsv(const std::string& path,
                                                              size_t columns) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) continue;  // header
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (cells.size() != columns) {
      return BadRow(path, number, absl::StrCat("has ", cells.size(), " columns, want ", columns));
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

absl::StatusOr<dsr::v1::Link::Relation> MapRelation(const std::string& relation) {
  static const auto* map = new absl::flat_hash_map<std::string, dsr::v1::Link::Relation>{
      {"trained_on", dsr::v1::Link::TRAINED_ON},
      {"compiled_from", dsr::v1::Link::DERIVED},
      {"derived_from", dsr::v1::Link::DERIVED},
      {"fine_tuned_from", dsr::v1::Link::FINE_TUNED_FROM},
      {"generated_by", dsr::v1::Link::GENERATED_BY},
      {"subset_of", dsr::v1::Link::SUBSET},
  };
  auto it = map->find(relation);
  if (it == map->end()) return absl::InvalidArgumentError("unknown relation");
  return it->second;
}

}  // namespace

std::string ProvenanceDir() { return DSR_PROVENANCE_DIR; }

std::string PlannedHolding::name() const { return broker::FormatHoldingName(actor_id, holding_id); }

int ProvenancePlan::HoldingOf(const std::string& node_id) const {
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
  const std::string hash = absl::BytesToHexString(broker::Sha256(raw)).substr(0, 8);
  if (slug.size() < 3) slug = absl::StrCat(slug, "-", hash);
  if (slug.size() > 63) {
    slug.resize(63 - 9);
    while (slug.back() == '-') slug.pop_back();
    slug = absl::StrCat(slug, "-", hash);
  }
  return slug;
}

absl::StatusOr<ProvenancePlan> LoadProvenancePlan(const std::string& dir) {
  const std::string nodes_path = dir + "/nodes.tsv";
  const std::string edges_path = dir + "/graph.tsv";
  absl::StatusOr<std::vector<std::vector<std::string>>> nodes = ReadTsv(nodes_path, 9);
  if (!nodes.ok()) return nodes.status();
  absl::StatusOr<std::vector<std::vector<std::string>>> edges = ReadTsv(edges_path, 8);
  if (!edges.ok()) return edges.status();

  ProvenancePlan plan;
  absl::flat_hash_map<std::string, std::string> actor_of_holder;  // raw holder -> id
  absl::flat_hash_set<std::string> actor_ids;
  absl::flat_hash_set<std::string> holding_names;
  absl::flat_hash_map<std::string, int> holding_of_node;
  for (size_t row = 0; row < nodes->size(); ++row) {
    const std::vector<std::string>& cells = (*nodes)[row];
    const int line = static_cast<int>(row) + 2;
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
      if (actor_ids.contains(id)) id = Slug(absl::StrCat(holder, "#", row));
      actor_ids.insert(id);
      actor_of_holder[holder] = id;
      plan.actors.push_back({id, holder});
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
      holding.holding_id = Slug(absl::StrCat(cells[0], "#", row));
    }
    holding_names.insert(holding.name());
    if (cells[1] == "dataset") {
      holding.kind = dsr::v1::Holding::DATASET;
    } else if (cells[1] == "model") {
      holding.kind = dsr::v1::Holding::MODEL;
    } else {
      return BadRow(nodes_path, line, "kind must be dataset or model");
    }
    holding.title = cells[4].empty() ? cells[0] : cells[4];
    holding.license = cells[3];
    if (!holding_of_node.try_emplace(holding.node_id, plan.holdings.size()).second) {
      return BadRow(nodes_path, line, "repeats a node id");
    }
    plan.holdings.push_back(std::move(holding));
  }
  for (size_t row = 0; row < edges->size(); ++row) {
    const std::vector<std::string>& cells = (*edges)[row];
    const int line = static_cast<int>(row) + 2;
    auto child = holding_of_node.find(cells[0]);
    auto parent = holding_of_node.find(cells[4]);
    if (child == holding_of_node.end() || parent == holding_of_node.end()) {
      return BadRow(edges_path, line, "names a node that nodes.tsv lacks");
    }
    absl::StatusOr<dsr::v1::Link::Relation> relation = MapRelation(cells[3]);
    if (!relation.ok()) return BadRow(edges_path, line, "has an unknown relation");
    plan.links.push_back({child->second, parent->second, *relation});
  }
  return plan;
}

}  // namespace dsr::testing
