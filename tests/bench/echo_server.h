#ifndef DSR_TESTS_BENCH_ECHO_SERVER_H_
#define DSR_TESTS_BENCH_ECHO_SERVER_H_

// The limit of the RPC stack on this machine: a gRPC server built from the
// same libraries, with the same callback API and the same hand-off of each
// call to a worker pool as the broker's write path (broker/service/
// unary_call.h), whose handler only copies the request into the response.

#include <memory>
#include <string>

#include "broker/base/executor.h"
#include "grpcpp/grpcpp.h"

namespace dsr::bench {

class EchoServer {
 public:
  // Listens on 127.0.0.1, a free port; `threads` workers run the handler.
  explicit EchoServer(int threads);
  ~EchoServer();

  std::string address() const;

 private:
  class Service;
  std::unique_ptr<broker::Executor> workers_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace dsr::bench

#endif  // DSR_TESTS_BENCH_ECHO_SERVER_H_
