// dsr-bench: the broker's benchmark suite, every figure next to the limit of
// the same machine measured in the same run (issue 6). Workloads so far:
//   W1  durable SubmitRequest, to a holding with no descendants and to one
//       with 10, at each number of calls in flight;
//   W2  one request fanning out to the 120 holdings downstream of Wikipedia
//       in the real lineage graph, and to 1,000 and 10,000 holdings of
//       generated power-law graphs: server-side time to a durable
//       acknowledgement, tasks/s;
//   W3  inbox delivery: acknowledgement to arrival on a stream, open loop;
//   W4  the fulfilment mix: 90% GetTask/GetRequest, 10% task transitions;
//   the broker's memory after a million stored tasks;
// with the baselines: the echo server (the RPC stack), synced RocksDB
// batches from as many threads (durable writes) and an in-memory walk of
// each W2 graph. See docs/BENCHMARKS.md.

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "tests/bench/workloads.h"

namespace dsr::bench {
namespace {

void Print(const Table& table) {
  constexpr int kName = 44;
  std::cout << std::left << std::setw(kName) << "workload" << std::right << std::setw(6) << "conc"
            << std::setw(12) << "ops/s" << std::setw(10) << "p50 ms" << std::setw(10) << "p99 ms"
            << std::setw(10) << "vs echo"
            << "  note\n";
  for (const Row& row : table.rows) {
    const auto echo = table.echo_rate.find(row.in_flight);
    std::string ratio = "-";
    if (echo != table.echo_rate.end() && echo->second > 0 && row.name.rfind("echo", 0) != 0) {
      ratio = absl::StrCat(static_cast<int>(100 * row.load.PerSecond() / echo->second), "%");
    }
    const auto figure = [&](double value, int precision) {
      return row.timed ? absl::StrFormat("%.*f", precision, value) : std::string("-");
    };
    std::cout << std::left << std::setw(kName) << row.name << std::right << std::setw(6)
              << (row.in_flight > 0 ? std::to_string(row.in_flight) : "open") << std::setw(12)
              << figure(row.load.PerSecond(), 0) << std::setw(10)
              << figure(absl::ToDoubleMilliseconds(row.load.Quantile(0.5)), 2) << std::setw(10)
              << figure(absl::ToDoubleMilliseconds(row.load.Quantile(0.99)), 2) << std::setw(10)
              << ratio << "  " << row.note << "\n";
  }
}

int Main(const Settings& settings) {
  Table table;
  absl::Status ran;
  if (settings.Runs("memory")) {
    absl::StatusOr<std::unique_ptr<BenchBroker>> fresh =
        BenchBroker::Start(settings.dir + "/memory");
    ran = fresh.ok() ? RunMemory(**fresh, settings, table) : fresh.status();
  }
  if (settings.Runs("echo")) RunEcho(settings, table);
  if (settings.Runs("disk")) RunDurableWrites(settings, table);
  ServerTimes submit_times("/dsr.v1.RequestService/SubmitRequest");
  absl::StatusOr<std::unique_ptr<BenchBroker>> broker =
      BenchBroker::Start(settings.dir + "/broker", &submit_times);
  if (ran.ok()) ran = broker.status();
  if (ran.ok() && settings.Runs("w1")) ran = RunW1(**broker, settings, table);
  if (ran.ok() && settings.Runs("w2")) ran = RunW2(**broker, settings, table);
  if (ran.ok() && settings.Runs("w3")) ran = RunW3(**broker, settings, table);
  if (ran.ok() && settings.Runs("w4")) ran = RunW4(**broker, settings, table);
  if (ran.ok() && settings.Runs("v1")) ran = RunIdentity(**broker, settings, table);
  broker = nullptr;
  Print(table);
  if (!ran.ok()) {
    std::cerr << "dsr-bench: " << ran << "\n";
    return 1;
  }
  for (const Row& row : table.rows) {
    if (row.load.calls == 0 || row.load.failures > 0) {
      std::cerr << "dsr-bench: " << row.name << ": " << row.load.calls << " calls, "
                << row.load.failures << " failed\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace dsr::bench

int main(int argc, char** argv) {
  dsr::bench::Settings settings;
  double inbox_rate = settings.inbox_rate;
  CLI::App app{
      "dsr-bench: the broker's figures next to this machine's limits.\n\nExample:\n"
      "  dsr-bench --seconds 5 --in-flight 1,16,64 --dir /var/tmp/dsr-bench"};
  double seconds = 5, warmup = 1;
  std::string in_flight = "1,16,64";
  bool smoke = false;
  app.add_option("--seconds", seconds, "Measured seconds per figure")->capture_default_str();
  app.add_option("--warmup", warmup, "Unmeasured seconds before each")->capture_default_str();
  app.add_option("--in-flight", in_flight, "Calls in flight, comma-separated")
      ->capture_default_str();
  app.add_option("--dir", settings.dir,
                 "Scratch directory on the disk to measure (emptied); default: a new one in "
                 "/var/tmp");
  app.add_option("--inbox-rate", inbox_rate, "W3's offered SubmitRequest rate, a second")
      ->capture_default_str();
  app.add_option("--w4-tasks", settings.w4_tasks, "W4's supply of tasks to answer")
      ->capture_default_str();
  std::string fan_outs = "1000,10000";
  app.add_option("--fan-outs", fan_outs, "W2's graph sizes, comma-separated")
      ->capture_default_str();
  app.add_option("--runs", settings.runs,
                 "Runs of each closed-loop figure; the median run is reported")
      ->capture_default_str()
      ->check(CLI::Range(1, 99));
  app.add_option("--memory-tasks", settings.memory_tasks,
                 "Tasks to store before reporting the broker's memory")
      ->capture_default_str();
  settings.provenance_dir = DSR_PROVENANCE_DIR;
  app.add_option("--provenance", settings.provenance_dir,
                 "Directory of the real lineage graph (nodes.tsv, graph.tsv) for W2; empty to "
                 "skip it")
      ->capture_default_str();
  app.add_flag("--smoke", smoke, "A quick run that only checks every workload works");
  std::string only;
  app.add_option("--only", only,
                 "Run only these rows, comma-separated: echo, disk, w1, w2, w3, w4, v1, memory "
                 "(for profiling one)");
  CLI11_PARSE(app, argc, argv);
  // Debian builds Abseil with its debug-build mutex deadlock detector on,
  // which records every lock acquisition in a global graph; the tests keep
  // it, the served binary does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (smoke) {
    seconds = 0.3;
    warmup = 0.1;
    in_flight = "1,4";
    inbox_rate = 50;
    settings.w4_tasks = 50;
    settings.fan_outs = {200};
    settings.w2_runs = 1;
    settings.runs = 1;
    settings.memory_tasks = 2000;
  }
  if (!only.empty()) settings.only = absl::StrSplit(only, ',');
  settings.inbox_rate = inbox_rate;
  settings.duration = absl::Seconds(seconds);
  settings.warmup = absl::Seconds(warmup);
  const auto numbers = [](const std::string& text, std::vector<int>* out) {
    out->clear();
    for (absl::string_view part : absl::StrSplit(text, ',')) {
      int n = 0;
      if (!absl::SimpleAtoi(part, &n) || n < 1) return false;
      out->push_back(n);
    }
    return true;
  };
  if (!numbers(in_flight, &settings.in_flight)) {
    std::cerr << "dsr-bench: --in-flight takes numbers like 1,16,64\n";
    return 2;
  }
  if (!smoke && !numbers(fan_outs, &settings.fan_outs)) {
    std::cerr << "dsr-bench: --fan-outs takes numbers like 1000,10000\n";
    return 2;
  }
  bool own_dir = settings.dir.empty();
  if (own_dir) {
    char pattern[] = "/var/tmp/dsr-bench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      std::cerr << "dsr-bench: cannot make a scratch directory\n";
      return 1;
    }
    settings.dir = pattern;
  } else {
    std::filesystem::remove_all(settings.dir);
    std::filesystem::create_directories(settings.dir);
  }
  const int code = dsr::bench::Main(settings);
  if (own_dir) std::filesystem::remove_all(settings.dir);
  return code;
}
