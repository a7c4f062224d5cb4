#ifndef DSR_TESTS_BENCH_SERVER_TIMES_H_
#define DSR_TESTS_BENCH_SERVER_TIMES_H_

// Server-side times of one method's calls, taken by a gRPC server
// interceptor: from the call's arrival (its metadata) to its status being
// sent, which the broker does only once the call's writes are durable. The
// client's round trip and queueing are left out.

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_builder.h"

namespace dsr::bench {

class ServerTimes {
 public:
  // Times calls of `method`, e.g. "/dsr.v1.RequestService/SubmitRequest".
  explicit ServerTimes(std::string method) : method_(std::move(method)) {}

  // Adds the interceptor to `builder`. The ServerTimes must outlive the
  // server.
  void Install(grpc::ServerBuilder& builder);

  // The times recorded since the last call, in order of completion.
  std::vector<absl::Duration> Take() ABSL_LOCKS_EXCLUDED(mu_);

  // For the interceptor.
  const std::string& method() const { return method_; }
  void Record(absl::Duration took) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string method_;
  absl::Mutex mu_;
  std::vector<absl::Duration> times_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dsr::bench

#endif  // DSR_TESTS_BENCH_SERVER_TIMES_H_
