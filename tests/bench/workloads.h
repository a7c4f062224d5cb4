#ifndef DSR_TESTS_BENCH_WORKLOADS_H_
#define DSR_TESTS_BENCH_WORKLOADS_H_

// dsr-bench's workloads and baselines; each appends its rows to the table.

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "dsr/v1/request_service.pb.h"
#include "tests/bench/bench_broker.h"
#include "tests/bench/load.h"

namespace dsr::bench {

struct Settings {
  std::vector<int> in_flight = {1, 16, 64};
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  // Scratch directory on the disk being measured.
  std::string dir;
  // The broker's default worker pools.
  int threads = 8;
  // W3's offered rate, SubmitRequest calls a second.
  double inbox_rate = 500;
  // W4's supply of tasks to answer (each takes two transitions).
  int w4_tasks = 30000;
  // W2's generated graphs: holdings reached by one request.
  std::vector<int> fan_outs = {1000, 10000};
  // W2's repetitions per graph (the median is reported).
  int w2_runs = 3;
  // The real lineage graph (nodes.tsv, graph.tsv) for W2's first row.
  std::string provenance_dir;
  // Tasks to store before reporting the broker's memory.
  int64_t memory_tasks = 1000000;
  // Runs of each closed-loop figure; the median run (by throughput) is
  // reported.
  int runs = 3;
  // Rows to run: "echo", "disk", "w1".."w4"; empty for all.
  std::vector<std::string> only;
  bool Runs(const std::string& part) const {
    return only.empty() || std::find(only.begin(), only.end(), part) != only.end();
  }
};

struct Row {
  std::string name;
  // 0 for open-loop rows (no comparison with the echo server).
  int in_flight = 0;
  LoadResult load;
  std::string note;
  // False for rows whose figure is in the note (baselines timed once, the
  // memory figure): their rate and latency columns are left blank.
  bool timed = true;
};

struct Table {
  std::vector<Row> rows;
  // Echo calls a second, by calls in flight.
  std::map<int, double> echo_rate;
};

// An ERASURE request for person number `n` (an email) to `target`.
dsr::v1::SubmitRequestRequest Erasure(const std::string& target, int64_t n);

// Runs `work(i)` for i in [0, n) on `threads` threads; the first error.
absl::Status Parallel(int n, int threads, const std::function<absl::Status(int)>& work);

// Baselines.
void RunEcho(const Settings& settings, Table& table);
void RunDurableWrites(const Settings& settings, Table& table);

// V1: a submission without and with a verification token, and the
// verification itself, one call at a time.
absl::Status RunIdentity(BenchBroker& broker, const Settings& settings, Table& table);

// W1: durable SubmitRequest to a holding with no descendants and to one
// with 10, closed loop at each number of calls in flight.
absl::Status RunW1(BenchBroker& broker, const Settings& settings, Table& table);
// W2: one SubmitRequest fanning out to every holding of a generated graph
// (power-law out-degrees, depth at most 6) of each size; its latency to a
// durable acknowledgement, and tasks written a second.
absl::Status RunW2(BenchBroker& broker, const Settings& settings, Table& table);
// The broker's resident memory as stored tasks grow to
// settings.memory_tasks (requests of 1,000 tasks each), next to what its
// configuration bounds. Run first, on its own broker, so that the process
// holds nothing else yet.
absl::Status RunMemory(BenchBroker& broker, const Settings& settings, Table& table);
// W3: an organisation streams its inbox while requests arrive at a steady
// rate; the time from SubmitRequest's acknowledgement to the event's arrival.
absl::Status RunW3(BenchBroker& broker, const Settings& settings, Table& table);
// W4: the fulfilment mix, 90% GetTask or GetRequest, 10% task transitions.
absl::Status RunW4(BenchBroker& broker, const Settings& settings, Table& table);

}  // namespace dsr::bench

#endif  // DSR_TESTS_BENCH_WORKLOADS_H_
