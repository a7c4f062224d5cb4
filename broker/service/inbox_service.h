#ifndef DSR_BROKER_SERVICE_INBOX_SERVICE_H_
#define DSR_BROKER_SERVICE_INBOX_SERVICE_H_

#include "broker/inbox/inbox.h"
#include "broker/service/inbox_streams.h"
#include "broker/service/unary_call.h"
#include "dsr/v1/inbox_service.grpc.pb.h"

namespace dsr::broker {

// gRPC glue for dsr.v1.InboxService. No logic here.
class InboxGrpcService final : public dsr::v1::InboxService::CallbackService {
 public:
  // All must outlive the service.
  InboxGrpcService(Inbox* inbox, InboxStreams* streams, UnaryCalls* calls)
      : inbox_(inbox), streams_(streams), calls_(calls) {}

  grpc::ServerWriteReactor<dsr::v1::InboxEvent>* StreamInbox(
      grpc::CallbackServerContext* context, const dsr::v1::StreamInboxRequest* request) override;
  grpc::ServerUnaryReactor* CommitInbox(grpc::CallbackServerContext* context,
                                        const dsr::v1::CommitInboxRequest* request,
                                        dsr::v1::CommitInboxResponse* response) override;
  grpc::ServerUnaryReactor* ListTasks(grpc::CallbackServerContext* context,
                                      const dsr::v1::ListTasksRequest* request,
                                      dsr::v1::ListTasksResponse* response) override;
  grpc::ServerUnaryReactor* GetTask(grpc::CallbackServerContext* context,
                                    const dsr::v1::GetTaskRequest* request,
                                    dsr::v1::Task* response) override;
  grpc::ServerUnaryReactor* AcknowledgeTask(grpc::CallbackServerContext* context,
                                            const dsr::v1::AcknowledgeTaskRequest* request,
                                            dsr::v1::Task* response) override;
  grpc::ServerUnaryReactor* CompleteTask(grpc::CallbackServerContext* context,
                                         const dsr::v1::CompleteTaskRequest* request,
                                         dsr::v1::Task* response) override;
  grpc::ServerUnaryReactor* RefuseTask(grpc::CallbackServerContext* context,
                                       const dsr::v1::RefuseTaskRequest* request,
                                       dsr::v1::Task* response) override;
  grpc::ServerUnaryReactor* RequestIdentity(grpc::CallbackServerContext* context,
                                            const dsr::v1::RequestIdentityRequest* request,
                                            dsr::v1::Task* response) override;
  grpc::ServerUnaryReactor* ExtendTask(grpc::CallbackServerContext* context,
                                       const dsr::v1::ExtendTaskRequest* request,
                                       dsr::v1::Task* response) override;

 private:
  Inbox* const inbox_;
  InboxStreams* const streams_;
  UnaryCalls* const calls_;
};

}  // namespace dsr::broker

#endif  // DSR_BROKER_SERVICE_INBOX_SERVICE_H_
