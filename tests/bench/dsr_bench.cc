// dsr-bench: the broker's benchmark suite, every figure next to the limit of
// the same machine measured in the same run (issue 6). Workloads so far:
//   W1  durable SubmitRequest, to a holding with no descendants and to one
//       with 10, at each number of calls in flight;
// with the baselines: the echo server (the RPC stack) and synced RocksDB
// batches from as many threads (durable writes). See docs/BENCHMARKS.md.

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "broker/server/broker_server.h"
#include "client/connection.h"
#include "dsr/v1/request_service.grpc.pb.h"
#include "echo.grpc.pb.h"
#include "tests/bench/baselines.h"
#include "tests/bench/echo_server.h"
#include "tests/bench/load.h"

namespace dsr::bench {
namespace {

struct Settings {
  std::vector<int> in_flight = {1, 16, 64};
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  std::string dir;
  int threads = 8;  // the broker's default worker pools
};

dsr::v1::SubmitRequestRequest Erasure(const std::string& target, int64_t n) {
  dsr::v1::SubmitRequestRequest request;
  request.mutable_request()->set_type(dsr::v1::ERASURE);
  dsr::v1::SubjectIdentifier* id = request.mutable_request()->add_subject_identifiers();
  id->set_type(dsr::v1::SubjectIdentifier::EMAIL);
  id->set_value(absl::StrCat("person", n, "@example.com"));
  request.mutable_request()->add_targets(target);
  return request;
}

// Unary calls of one method on one channel, `in_flight` at a time.
template <typename Stub, typename Request, typename Response>
LoadResult Drive(Stub* stub,
                 void (Stub::async_interface::*method)(grpc::ClientContext*, const Request*,
                                                       Response*, std::function<void(grpc::Status)>),
                 std::function<Request()> next, int in_flight, const Settings& settings) {
  return RunClosedLoop(in_flight, settings.warmup, settings.duration,
                       [stub, method, next](std::function<void(bool)> done) {
                         struct Call {
                           grpc::ClientContext context;
                           Request request;
                           Response response;
                         };
                         auto* call = new Call;
                         call->request = next();
                         (stub->async()->*method)(&call->context, &call->request, &call->response,
                                                  [call, done](grpc::Status status) {
                                                    done(status.ok());
                                                    delete call;
                                                  });
                       });
}

struct Row {
  std::string name;
  int in_flight;
  LoadResult load;
  std::string note;
};

void Print(const std::vector<Row>& rows, const std::map<int, double>& echo_rate) {
  std::cout << std::left << std::setw(36) << "workload" << std::right << std::setw(6) << "conc"
            << std::setw(12) << "ops/s" << std::setw(10) << "p50 ms" << std::setw(10) << "p99 ms"
            << std::setw(10) << "vs echo" << "  note\n";
  for (const Row& row : rows) {
    const auto echo = echo_rate.find(row.in_flight);
    std::string ratio = "-";
    if (echo != echo_rate.end() && echo->second > 0 && row.name.rfind("echo", 0) != 0) {
      ratio = absl::StrCat(static_cast<int>(100 * row.load.PerSecond() / echo->second), "%");
    }
    std::cout << std::left << std::setw(36) << row.name << std::right << std::setw(6)
              << row.in_flight << std::setw(12) << std::fixed << std::setprecision(0)
              << row.load.PerSecond() << std::setw(10) << std::setprecision(2)
              << absl::ToDoubleMilliseconds(row.load.Quantile(0.5)) << std::setw(10)
              << absl::ToDoubleMilliseconds(row.load.Quantile(0.99)) << std::setw(10) << ratio
              << "  " << row.note << "\n";
  }
}

int Main(const Settings& settings) {
  std::vector<Row> rows;
  std::map<int, double> echo_rate;
  {
    EchoServer echo(settings.threads);
    auto channel = grpc::CreateChannel(echo.address(), grpc::InsecureChannelCredentials());
    auto stub = dsr::bench::v1::EchoService::NewStub(channel);
    int64_t n = 0;
    for (int in_flight : settings.in_flight) {
      LoadResult load = Drive(stub.get(), &dsr::bench::v1::EchoService::Stub::async_interface::Echo,
                              std::function<dsr::v1::SubmitRequestRequest()>(
                                  [&n] { return Erasure("actors/a/holdings/b", ++n); }),
                              in_flight, settings);
      echo_rate[in_flight] = load.PerSecond();
      rows.push_back({"echo (RPC stack limit)", in_flight, std::move(load), ""});
    }
  }
  for (int in_flight : settings.in_flight) {
    const std::string dir = absl::StrCat(settings.dir, "/rocksdb-", in_flight);
    DurableWrites writes =
        MeasureDurableWrites(dir, in_flight, 1024, settings.warmup, settings.duration);
    rows.push_back({"rocksdb sync batch (disk limit)", in_flight, std::move(writes.load),
                    absl::StrFormat("%.1f writes/sync", writes.writes_per_sync)});
  }

  broker::BrokerServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = settings.dir + "/broker";
  options.rate_limits.submits_per_address.per_second = 0;
  options.rate_limits.submits_per_subject.per_second = 0;
  options.rate_limits.failed_authentications_per_address.per_second = 0;
  absl::StatusOr<std::unique_ptr<broker::BrokerServer>> server =
      broker::BrokerServer::Start(options);
  if (!server.ok()) {
    std::cerr << "dsr-bench: " << server.status() << "\n";
    return 1;
  }
  std::ifstream token_file((*server)->admin_token_file());
  client::ConnectionOptions admin;
  admin.broker = (*server)->address();
  std::getline(token_file, admin.token);
  std::unique_ptr<client::Connection> setup = client::MakeConnection(admin);
  dsr::v1::CreateActorRequest actor;
  actor.set_actor_id("bench");
  actor.mutable_actor()->set_display_name("Bench");
  actor.mutable_actor()->add_roles(dsr::v1::Actor::DATASET_PUBLISHER);
  actor.mutable_actor()->set_contact_email("dpo@bench.example");
  if (absl::Status s = setup->CreateActor(actor).status(); !s.ok()) {
    std::cerr << "dsr-bench: set-up: " << s << "\n";
    return 1;
  }
  auto holding = [&](const std::string& id) {
    dsr::v1::CreateHoldingRequest create;
    create.set_parent("actors/bench");
    create.set_holding_id(id);
    create.mutable_holding()->set_kind(dsr::v1::Holding::DATASET);
    create.mutable_holding()->set_title(id);
    return setup->CreateHolding(create).status();
  };
  absl::Status ready = holding("leaf");
  if (ready.ok()) ready = holding("root");
  for (int i = 0; ready.ok() && i < 10; ++i) {
    ready = holding(absl::StrCat("child", i));
    dsr::v1::CreateLinkRequest link;
    link.mutable_link()->set_child(absl::StrCat("actors/bench/holdings/child", i));
    link.mutable_link()->set_parent("actors/bench/holdings/root");
    link.mutable_link()->set_relation(dsr::v1::Link::SUBSET);
    if (ready.ok()) ready = setup->CreateLink(link).status();
  }
  if (!ready.ok()) {
    std::cerr << "dsr-bench: set-up: " << ready << "\n";
    return 1;
  }

  auto channel = grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials());
  auto stub = dsr::v1::RequestService::NewStub(channel);
  int64_t n = 0;
  for (const auto& [label, target] :
       std::vector<std::pair<std::string, std::string>>{
           {"W1 submit, no descendants", "actors/bench/holdings/leaf"},
           {"W1 submit, 10 descendants", "actors/bench/holdings/root"}}) {
    for (int in_flight : settings.in_flight) {
      const storage::StoreStats before = (*server)->store_stats();
      LoadResult load = Drive(stub.get(), &dsr::v1::RequestService::Stub::async_interface::SubmitRequest,
                              std::function<dsr::v1::SubmitRequestRequest()>(
                                  [&n, target = target] { return Erasure(target, ++n); }),
                              in_flight, settings);
      const storage::StoreStats after = (*server)->store_stats();
      const double per_sync =
          after.wal_syncs > before.wal_syncs
              ? static_cast<double>(after.commits - before.commits) / (after.wal_syncs - before.wal_syncs)
              : 0;
      rows.push_back({label, in_flight, std::move(load),
                      absl::StrFormat("%.1f writes/sync", per_sync)});
    }
  }
  (*server)->Shutdown(absl::Seconds(5));
  Print(rows, echo_rate);
  for (const Row& row : rows) {
    if (row.load.calls == 0 || row.load.failures > 0) {
      std::cerr << "dsr-bench: " << row.name << " at " << row.in_flight << " in flight: "
                << row.load.calls << " calls, " << row.load.failures << " failed\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace dsr::bench

int main(int argc, char** argv) {
  dsr::bench::Settings settings;
  CLI::App app{"dsr-bench: the broker's figures next to this machine's limits.\n\nExample:\n"
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
  app.add_flag("--smoke", smoke, "A quick run that only checks every workload works");
  CLI11_PARSE(app, argc, argv);
  if (smoke) {
    seconds = 0.3;
    warmup = 0.1;
    in_flight = "1,4";
  }
  settings.duration = absl::Seconds(seconds);
  settings.warmup = absl::Seconds(warmup);
  settings.in_flight.clear();
  for (absl::string_view part : absl::StrSplit(in_flight, ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(part, &n) || n < 1) {
      std::cerr << "dsr-bench: --in-flight takes numbers like 1,16,64\n";
      return 2;
    }
    settings.in_flight.push_back(n);
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
