// W2 (one request fanning out to many holdings), its in-memory walk
// baseline, and the memory figure.

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/import_plan.h"
#include "client/importer.h"
#include "tests/bench/workloads.h"

namespace dsr::bench {
namespace {

// Children lists of a graph whose holdings are numbered from 0.
using Children = std::vector<std::vector<int>>;

// A graph of `size` holdings rooted at 0: each new holding takes a parent
// chosen in proportion to (1 + its children), among those less than 6 links
// deep, so out-degrees follow a power law.
std::vector<int> PowerLawParents(int size, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<int> parent(size, -1), depth(size, 0), pool = {0};
  for (int i = 1; i < size; ++i) {
    const int p = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(random)];
    parent[i] = p;
    depth[i] = depth[p] + 1;
    pool.push_back(p);
    if (depth[i] < 6) pool.push_back(i);
  }
  return parent;
}

// The baseline: a breadth-first walk of the same graph in memory (vectors
// of ints, nothing else), the least work that finding every holding takes.
// The median of repeated walks; `*reached` counts the holdings walked.
absl::Duration WalkTime(const Children& children, int root, int* reached) {
  std::vector<absl::Duration> times;
  for (int rep = 0; rep < 21; ++rep) {
    const absl::Time start = absl::Now();
    std::vector<char> seen(children.size(), 0);
    std::vector<int> queue = {root};
    seen[root] = 1;
    for (size_t head = 0; head < queue.size(); ++head) {
      for (int child : children[queue[head]]) {
        if (!seen[child]) {
          seen[child] = 1;
          queue.push_back(child);
        }
      }
    }
    times.push_back(absl::Now() - start);
    *reached = static_cast<int>(queue.size());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Files `runs` requests to `root`, one at a time, and adds the walk's row and
// the request's: server-side time to a durable acknowledgement (median),
// tasks written a second.
void MeasureFanOut(BenchBroker& broker, const Settings& settings, const std::string& label,
                   const std::string& root, const Children& children, int root_index,
                   Table& table) {
  int reached = 0;
  const absl::Duration walk = WalkTime(children, root_index, &reached);
  Row walk_row;
  walk_row.name = absl::StrCat("walk in memory, ", label);
  walk_row.load.calls = 1;
  walk_row.load.elapsed = walk;
  walk_row.load.latencies = {walk};
  walk_row.timed = false;
  walk_row.note = absl::StrFormat("%d holdings reached in %.1f us (median of 21)", reached,
                                  absl::ToDoubleMicroseconds(walk));
  table.rows.push_back(std::move(walk_row));

  Row row;
  row.name = absl::StrCat("W2 fan-out, ", label);
  int64_t tasks = 0;
  absl::Duration total;
  std::vector<absl::Duration> client_times;
  broker.submit_times()->Take();
  for (int run = 0; run < settings.w2_runs; ++run) {
    const absl::Time start = absl::Now();
    absl::StatusOr<dsr::v1::SubmitRequestResponse> filed =
        broker.admin().SubmitRequest(Erasure(root, run));
    client_times.push_back(absl::Now() - start);
    ++row.load.calls;
    std::vector<absl::Duration> server = broker.submit_times()->Take();
    if (!filed.ok() || server.size() != 1) {
      ++row.load.failures;
      row.note = filed.ok() ? "no server-side time" : std::string(filed.status().message());
      continue;
    }
    tasks += filed->request().task_counts().open();
    total += server[0];
    row.load.latencies.push_back(server[0]);
  }
  std::sort(row.load.latencies.begin(), row.load.latencies.end());
  std::sort(client_times.begin(), client_times.end());
  row.load.elapsed = total;
  if (row.load.failures == 0) {
    const absl::Duration median = row.load.Quantile(0.5);
    row.note = absl::StrFormat("%d tasks each, %.0f tasks/s; %.0fx the walk; client sees %.2f ms",
                               tasks / settings.w2_runs, tasks / absl::ToDoubleSeconds(total),
                               absl::FDivDuration(median, std::max(walk, absl::Nanoseconds(1))),
                               absl::ToDoubleMilliseconds(client_times[client_times.size() / 2]));
  }
  table.rows.push_back(std::move(row));
}

// Loads the real lineage graph through the API; the root is Wikipedia.
absl::Status RunRealGraph(BenchBroker& broker, const Settings& settings, Table& table) {
  absl::StatusOr<client::ImportPlan> plan = client::PlanImport(
      settings.provenance_dir + "/nodes.tsv", settings.provenance_dir + "/graph.tsv");
  if (!plan.ok()) return plan.status();
  client::ImportOptions import;
  import.threads = 8;
  import.tokens_out = settings.dir + "/provenance-tokens";
  absl::StatusOr<client::ImportSummary> imported = client::RunImport(broker.admin(), *plan, import);
  if (!imported.ok()) return imported.status();
  const int root = plan->HoldingOf("name:wikipedia");
  if (root < 0) return absl::NotFoundError("name:wikipedia is not in the provenance graph");
  Children children(plan->holdings.size());
  for (const client::PlannedLink& link : plan->links) {
    children[link.parent].push_back(link.child);
  }
  MeasureFanOut(broker, settings, "real graph from Wikipedia", plan->holdings[root].name(),
                children, root, table);
  return absl::OkStatus();
}

// Builds a generated graph of `size` holdings of a new actor through the
// API; returns its root's name and fills `children`.
absl::StatusOr<std::string> BuildGraph(BenchBroker& broker, const std::string& actor, int size,
                                       Children* children) {
  if (absl::StatusOr<std::string> made = broker.CreateActor(actor); !made.ok()) {
    return made.status();
  }
  const auto name = [&](int i) { return absl::StrCat("actors/", actor, "/holdings/node", i); };
  absl::Status built = Parallel(size, 8, [&](int i) {
    return broker.CreateHolding(actor, absl::StrCat("node", i)).status();
  });
  const std::vector<int> parent = PowerLawParents(size, 20261130 + size);
  if (built.ok()) {
    built = Parallel(size - 1, 8,
                     [&](int i) { return broker.CreateLink(name(i + 1), name(parent[i + 1])); });
  }
  if (!built.ok()) return built;
  children->assign(size, {});
  for (int i = 1; i < size; ++i) (*children)[parent[i]].push_back(i);
  return name(0);
}

// The process's resident memory, in MiB.
double ResidentMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      int64_t kib = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)), &kib)) {
        return kib / 1024.0;
      }
    }
  }
  return 0;
}

}  // namespace

absl::Status RunW2(BenchBroker& broker, const Settings& settings, Table& table) {
  if (!settings.provenance_dir.empty()) {
    if (absl::Status real = RunRealGraph(broker, settings, table); !real.ok()) return real;
  }
  for (int size : settings.fan_outs) {
    Children children;
    absl::StatusOr<std::string> root =
        BuildGraph(broker, absl::StrCat("bench-w2-", size), size, &children);
    if (!root.ok()) return root.status();
    MeasureFanOut(broker, settings, absl::StrCat(size, " holdings"), *root, children, 0, table);
  }
  return absl::OkStatus();
}

absl::Status RunMemory(BenchBroker& broker, const Settings& settings, Table& table) {
  // Requests of 1,000 tasks each until enough are stored.
  constexpr int kFanOut = 1000;
  Children children;
  absl::StatusOr<std::string> root = BuildGraph(broker, "bench-memory", kFanOut, &children);
  if (!root.ok()) return root.status();
  Row row;
  row.name = "memory: broker RSS";
  row.timed = false;
  const double at_start = ResidentMiB();
  const absl::Time start = absl::Now();
  int64_t tasks = 0;
  double at_tenth = 0;
  for (int64_t n = 0; tasks < settings.memory_tasks; ++n) {
    absl::StatusOr<dsr::v1::SubmitRequestResponse> filed =
        broker.admin().SubmitRequest(Erasure(*root, 1000000 + n));
    ++row.load.calls;
    if (!filed.ok()) {
      ++row.load.failures;
      row.note = std::string(filed.status().message());
      return absl::OkStatus();
    }
    tasks += filed->request().task_counts().open();
    if (at_tenth == 0 && tasks >= settings.memory_tasks / 10) at_tenth = ResidentMiB();
  }
  row.load.elapsed = absl::Now() - start;
  const broker::BrokerServerOptions defaults;
  row.note = absl::StrFormat(
      "RSS %.0f MiB at start, %.0f MiB after %d tasks, %.0f MiB after %d; configured: block "
      "cache %d MiB, write buffers %d MiB",
      at_start, at_tenth, settings.memory_tasks / 10, ResidentMiB(), tasks,
      defaults.block_cache_mib, defaults.memtable_mib);
  table.rows.push_back(std::move(row));
  return absl::OkStatus();
}

}  // namespace dsr::bench
