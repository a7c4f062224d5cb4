#include "tests/bench/workloads.h"

#include <atomic>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsr/v1/inbox_service.grpc.pb.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "echo.grpc.pb.h"
#include "tests/bench/baselines.h"
#include "tests/bench/echo_server.h"

namespace dsr::bench {
namespace {

// One unary call through a stub's callback API; `done(ok)` when it ends.
template <typename Request, typename Response, typename Invoke>
void Call(Request request, const std::string& token, Invoke invoke,
          std::function<void(bool, const Response&)> done) {
  struct State {
    grpc::ClientContext context;
    Request request;
    Response response;
  };
  auto* state = new State;
  state->request = std::move(request);
  if (!token.empty()) state->context.AddMetadata("authorization", "Bearer " + token);
  invoke(&state->context, &state->request, &state->response,
         [state, done = std::move(done)](grpc::Status status) {
           done(status.ok(), state->response);
           delete state;
         });
}

// The median, by throughput, of settings.runs closed-loop runs.
LoadResult MedianRun(const Settings& settings, int in_flight, const StartCall& start) {
  std::vector<LoadResult> runs;
  for (int run = 0; run < settings.runs; ++run) {
    runs.push_back(RunClosedLoop(in_flight, settings.warmup, settings.duration, start));
  }
  std::sort(runs.begin(), runs.end(),
            [](const LoadResult& a, const LoadResult& b) { return a.PerSecond() < b.PerSecond(); });
  return std::move(runs[runs.size() / 2]);
}

std::string WritesPerSync(const storage::StoreStats& before, const storage::StoreStats& after) {
  const uint64_t syncs = after.wal_syncs - before.wal_syncs;
  return absl::StrFormat(
      "%.1f writes/sync",
      syncs > 0 ? static_cast<double>(after.commits - before.commits) / syncs : 0.0);
}

}  // namespace

dsr::v1::SubmitRequestRequest Erasure(const std::string& target, int64_t n) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value(absl::StrCat("person", n, "@example.com"));
  request.mutable_request()->add_targets(target);
  return request;
}

// Runs `work(i)` for i in [0, n) on `threads` threads; the first error.
absl::Status Parallel(int n, int threads, const std::function<absl::Status(int)>& work) {
  std::atomic<int> next{0};
  absl::Mutex mu;
  absl::Status first;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        absl::Status s = work(i);
        if (!s.ok()) {
          absl::MutexLock lock(&mu);
          if (first.ok()) first = s;
          return;
        }
      }
    });
  }
  for (std::thread& t : pool) t.join();
  return first;
}

void RunEcho(const Settings& settings, Table& table) {
  EchoServer echo(settings.threads);
  auto stub = dsr::bench::v1::EchoService::NewStub(
      grpc::CreateChannel(echo.address(), grpc::InsecureChannelCredentials()));
  std::atomic<int64_t> n{0};
  for (int in_flight : settings.in_flight) {
    LoadResult load = MedianRun(settings, in_flight, [&](std::function<void(bool)> done) {
      Call<dsr::v1::SubmitRequestRequest, dsr::v1::SubmitRequestResponse>(
          Erasure("actors/a/holdings/b", ++n), "",
          [&](auto* c, auto* q, auto* r, auto cb) { stub->async()->Echo(c, q, r, cb); },
          [done](bool ok, const dsr::v1::SubmitRequestResponse&) { done(ok); });
    });
    table.echo_rate[in_flight] = load.PerSecond();
    table.rows.push_back({"echo (RPC stack limit)", in_flight, std::move(load), ""});
  }
}

void RunDurableWrites(const Settings& settings, Table& table) {
  for (int in_flight : settings.in_flight) {
    std::vector<DurableWrites> runs;
    for (int run = 0; run < settings.runs; ++run) {
      runs.push_back(
          MeasureDurableWrites(absl::StrCat(settings.dir, "/rocksdb-", in_flight, "-", run),
                               in_flight, 1024, settings.warmup, settings.duration));
    }
    std::sort(runs.begin(), runs.end(), [](const DurableWrites& a, const DurableWrites& b) {
      return a.load.PerSecond() < b.load.PerSecond();
    });
    DurableWrites& writes = runs[runs.size() / 2];
    table.rows.push_back({"rocksdb sync batch (disk limit)", in_flight, std::move(writes.load),
                          absl::StrFormat("%.1f writes/sync", writes.writes_per_sync)});
  }
}

absl::Status RunW1(BenchBroker& broker, const Settings& settings, Table& table) {
  if (absl::StatusOr<std::string> made = broker.CreateActor("bench-w1"); !made.ok()) {
    return made.status();
  }
  absl::StatusOr<std::string> leaf = broker.CreateHolding("bench-w1", "leaf");
  if (!leaf.ok()) return leaf.status();
  absl::StatusOr<std::string> root = broker.CreateHolding("bench-w1", "root");
  if (!root.ok()) return root.status();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<std::string> child = broker.CreateHolding("bench-w1", absl::StrCat("child", i));
    if (!child.ok()) return child.status();
    if (absl::Status linked = broker.CreateLink(*child, *root); !linked.ok()) return linked;
  }
  auto stub = dsr::v1::RequestService::NewStub(broker.channel());
  std::atomic<int64_t> n{0};
  for (const auto& [label, target] : std::vector<std::pair<std::string, std::string>>{
           {"W1 submit, no descendants", *leaf}, {"W1 submit, 10 descendants", *root}}) {
    for (int in_flight : settings.in_flight) {
      const storage::StoreStats before = broker.store_stats();
      LoadResult load =
          MedianRun(settings, in_flight, [&, target = target](std::function<void(bool)> done) {
            Call<dsr::v1::SubmitRequestRequest, dsr::v1::SubmitRequestResponse>(
                Erasure(target, ++n), "",
                [&](auto* c, auto* q, auto* r, auto cb) {
                  stub->async()->SubmitRequest(c, q, r, cb);
                },
                [done](bool ok, const dsr::v1::SubmitRequestResponse&) { done(ok); });
          });
      table.rows.push_back(
          {label, in_flight, std::move(load), WritesPerSync(before, broker.store_stats())});
    }
  }
  return absl::OkStatus();
}

absl::Status RunW3(BenchBroker& broker, const Settings& settings, Table& table) {
  absl::StatusOr<std::string> token = broker.CreateActor("bench-w3");
  if (!token.ok()) return token.status();
  absl::StatusOr<std::string> watched = broker.CreateHolding("bench-w3", "watched");
  if (!watched.ok()) return watched.status();

  absl::Mutex mu;
  absl::flat_hash_map<std::string, absl::Time> acked, arrived;
  // The organisation's stream: every event's arrival, by request.
  auto inbox = dsr::v1::InboxService::NewStub(broker.channel());
  grpc::ClientContext stream_context;
  stream_context.AddMetadata("authorization", "Bearer " + *token);
  std::unique_ptr<grpc::ClientReader<dsr::v1::InboxEvent>> reader =
      inbox->StreamInbox(&stream_context, dsr::v1::StreamInboxRequest());
  reader->WaitForInitialMetadata();
  std::thread listener([&] {
    dsr::v1::InboxEvent event;
    while (reader->Read(&event)) {
      const absl::Time now = absl::Now();
      const std::string& task = event.task().name();
      absl::MutexLock lock(&mu);
      arrived.emplace(task.substr(0, task.find("/tasks/")), now);
    }
  });

  // Requests at a steady rate, whatever the broker's pace (open loop).
  auto requests = dsr::v1::RequestService::NewStub(broker.channel());
  const int64_t total = std::max<int64_t>(
      1, static_cast<int64_t>(settings.inbox_rate * absl::ToDoubleSeconds(settings.duration)));
  std::atomic<int64_t> finished{0}, failed{0};
  const absl::Time start = absl::Now();
  for (int64_t i = 0; i < total; ++i) {
    absl::SleepFor(start + absl::Seconds(i / settings.inbox_rate) - absl::Now());
    Call<dsr::v1::SubmitRequestRequest, dsr::v1::SubmitRequestResponse>(
        Erasure(*watched, i), "",
        [&](auto* c, auto* q, auto* r, auto cb) { requests->async()->SubmitRequest(c, q, r, cb); },
        [&](bool ok, const dsr::v1::SubmitRequestResponse& response) {
          const absl::Time now = absl::Now();
          if (ok) {
            absl::MutexLock lock(&mu);
            acked.emplace(response.request().name(), now);
          } else {
            ++failed;
          }
          ++finished;
        });
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  {
    absl::MutexLock lock(&mu);
    auto all_in = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return (finished.load() == total && arrived.size() >= acked.size()) || absl::Now() > give_up;
    };
    while (!all_in()) mu.AwaitWithTimeout(absl::Condition(&all_in), absl::Milliseconds(50));
  }
  stream_context.TryCancel();
  listener.join();
  reader->Finish();

  Row row;
  row.name = absl::StrFormat("W3 inbox delivery at %.0f/s", settings.inbox_rate);
  absl::MutexLock lock(&mu);
  int64_t early = 0;
  for (const auto& [name, ack] : acked) {
    auto it = arrived.find(name);
    if (it == arrived.end()) {
      ++row.load.failures;
      continue;
    }
    // The event may beat the acknowledgement to the client: count it as 0.
    if (it->second < ack) ++early;
    row.load.latencies.push_back(std::max(absl::ZeroDuration(), it->second - ack));
  }
  row.load.failures += failed.load();
  row.load.calls = total;
  row.load.elapsed = settings.duration;
  std::sort(row.load.latencies.begin(), row.load.latencies.end());
  row.note = absl::StrCat(early, " of ", acked.size(), " arrived before their acknowledgement");
  table.rows.push_back(std::move(row));
  return absl::OkStatus();
}

absl::Status RunW4(BenchBroker& broker, const Settings& settings, Table& table) {
  absl::StatusOr<std::string> token = broker.CreateActor("bench-w4");
  if (!token.ok()) return token.status();
  absl::StatusOr<std::string> holding = broker.CreateHolding("bench-w4", "answers");
  if (!holding.ok()) return holding.status();
  // The supply: one task per request, to acknowledge and then complete.
  struct Filed {
    std::string request, receipt, task;
  };
  std::vector<Filed> filed(settings.w4_tasks);
  absl::Status supplied = Parallel(settings.w4_tasks, 8, [&](int i) {
    absl::StatusOr<dsr::v1::SubmitRequestResponse> made =
        broker.admin().SubmitRequest(Erasure(*holding, i));
    if (!made.ok()) return made.status();
    filed[i] = {made->request().name(), made->receipt_token(), made->tasks(0).name()};
    return absl::OkStatus();
  });
  if (!supplied.ok()) return supplied;
  auto requests = dsr::v1::RequestService::NewStub(broker.channel());
  auto inbox = dsr::v1::InboxService::NewStub(broker.channel());
  std::atomic<int64_t> op{0}, transition{0}, exhausted{0};
  const int64_t supply = static_cast<int64_t>(filed.size());
  for (int in_flight : settings.in_flight) {
    const storage::StoreStats before = broker.store_stats();
    LoadResult load = MedianRun(settings, in_flight, [&](std::function<void(bool)> done) {
      const int64_t i = op++;
      const Filed& any = filed[(i * 7919) % supply];
      const auto finish = [done](bool ok, const auto&) { done(ok); };
      int64_t t = i % 10 == 0 ? transition++ : -1;
      if (t >= 2 * supply) {
        ++exhausted;
        t = -1;
      }
      if (t >= 0 && t < supply) {
        dsr::v1::AcknowledgeTaskRequest ack;
        ack.set_name(filed[t].task);
        Call<dsr::v1::AcknowledgeTaskRequest, dsr::v1::Task>(
            ack, *token,
            [&](auto* c, auto* q, auto* r, auto cb) {
              inbox->async()->AcknowledgeTask(c, q, r, cb);
            },
            finish);
      } else if (t >= supply) {
        dsr::v1::CompleteTaskRequest complete;
        complete.set_name(filed[t - supply].task);
        complete.set_outcome(dsr::v1::NO_DATA_FOUND);
        Call<dsr::v1::CompleteTaskRequest, dsr::v1::Task>(
            complete, *token,
            [&](auto* c, auto* q, auto* r, auto cb) { inbox->async()->CompleteTask(c, q, r, cb); },
            finish);
      } else if (i % 2 == 0) {
        dsr::v1::GetTaskRequest get;
        get.set_name(any.task);
        Call<dsr::v1::GetTaskRequest, dsr::v1::Task>(
            get, *token,
            [&](auto* c, auto* q, auto* r, auto cb) { inbox->async()->GetTask(c, q, r, cb); },
            finish);
      } else {
        dsr::v1::GetRequestRequest get;
        get.set_name(any.request);
        Call<dsr::v1::GetRequestRequest, dsr::v1::GetRequestResponse>(
            get, any.receipt,
            [&](auto* c, auto* q, auto* r, auto cb) { requests->async()->GetRequest(c, q, r, cb); },
            finish);
      }
    });
    table.rows.push_back({"W4 fulfilment mix (90% reads)", in_flight, std::move(load),
                          WritesPerSync(before, broker.store_stats())});
  }
  if (exhausted > 0) {
    table.rows.back().note +=
        absl::StrCat("; supply ran out: ", exhausted.load(), " transitions became reads");
  }
  return absl::OkStatus();
}

}  // namespace dsr::bench
