#include "tests/bench/echo_server.h"

#include "absl/strings/str_cat.h"
#include "echo.grpc.pb.h"

namespace dsr::bench {

class EchoServer::Service final : public dsr::bench::v1::EchoService::CallbackService {
 public:
  explicit Service(broker::Executor* workers) : workers_(workers) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const dsr::v1::SubmitRequestRequest* request,
                                 dsr::v1::SubmitRequestResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    workers_->Schedule([request, response, reactor] {
      *response->mutable_request() = request->request();
      reactor->Finish(grpc::Status::OK);
    });
    return reactor;
  }

 private:
  broker::Executor* const workers_;
};

EchoServer::EchoServer(int threads)
    : workers_(std::make_unique<broker::Executor>(threads)),
      service_(std::make_unique<Service>(workers_.get())) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
}

EchoServer::~EchoServer() {
  server_->Shutdown();
  server_.reset();
  workers_.reset();
}

std::string EchoServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

}  // namespace dsr::bench
