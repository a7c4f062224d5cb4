#ifndef DSR_TESTS_BENCH_BENCH_BROKER_H_
#define DSR_TESTS_BENCH_BENCH_BROKER_H_

// The broker under measurement: a BrokerServer in-process on a scratch
// directory (rate limits off: the benchmark is one very busy client), and
// the admin's connection for setting up organisations and holdings.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/server/broker_server.h"
#include "client/connection.h"
#include "grpcpp/grpcpp.h"
#include "tests/bench/server_times.h"
#include "tests/support/fake_sender.h"

namespace dsr::bench {

class BenchBroker {
 public:
  // `submit_times`, if given, records SubmitRequest's server-side times.
  static absl::StatusOr<std::unique_ptr<BenchBroker>> Start(const std::string& dir,
                                                            ServerTimes* submit_times = nullptr);
  ~BenchBroker();

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // The emails the broker sent (verification codes).
  testing::FakeSender& mail() { return *mail_; }
  client::Connection& admin() { return *admin_; }
  storage::StoreStats store_stats() const { return server_->store_stats(); }
  // SubmitRequest's server-side times (Start's `submit_times`).
  ServerTimes* submit_times() const { return submit_times_; }

  // A new organisation; returns its token.
  absl::StatusOr<std::string> CreateActor(const std::string& id);
  // A dataset of `actor`, as admin; returns its name.
  absl::StatusOr<std::string> CreateHolding(const std::string& actor, const std::string& id);
  absl::Status CreateLink(const std::string& child, const std::string& parent);

 private:
  BenchBroker() = default;
  std::unique_ptr<broker::BrokerServer> server_;
  std::unique_ptr<client::Connection> admin_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<testing::FakeSender> mail_ = std::make_shared<testing::FakeSender>();
  ServerTimes* submit_times_ = nullptr;
};

}  // namespace dsr::bench

#endif  // DSR_TESTS_BENCH_BENCH_BROKER_H_
