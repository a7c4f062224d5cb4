#include "tests/bench/server_times.h"

#include <memory>

#include "absl/time/clock.h"
#include "grpcpp/support/server_interceptor.h"

namespace dsr::bench {
namespace {

using grpc::experimental::InterceptionHookPoints;

class Timer final : public grpc::experimental::Interceptor {
 public:
  explicit Timer(ServerTimes* times) : times_(times) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      times_->Record(absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  ServerTimes* const times_;
  absl::Time start_ = absl::Now();
};

class TimerFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit TimerFactory(ServerTimes* times) : times_(times) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (times_->method() != info->method()) return nullptr;
    return new Timer(times_);
  }

 private:
  ServerTimes* const times_;
};

}  // namespace

void ServerTimes::Install(grpc::ServerBuilder& builder) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<TimerFactory>(this));
  builder.experimental().SetInterceptorCreators(std::move(factories));
}

std::vector<absl::Duration> ServerTimes::Take() {
  absl::MutexLock lock(&mu_);
  std::vector<absl::Duration> taken;
  taken.swap(times_);
  return taken;
}

void ServerTimes::Record(absl::Duration took) {
  absl::MutexLock lock(&mu_);
  times_.push_back(took);
}

}  // namespace dsr::bench
