#include "broker/service/inbox_service.h"

namespace dsr::broker {

grpc::ServerWriteReactor<dsr::v1::InboxEvent>* InboxGrpcService::StreamInbox(
    grpc::CallbackServerContext* context, const dsr::v1::StreamInboxRequest* request) {
  return streams_->Open(context, request);
}

grpc::ServerUnaryReactor* InboxGrpcService::CommitInbox(grpc::CallbackServerContext* context,
                                                        const dsr::v1::CommitInboxRequest* request,
                                                        dsr::v1::CommitInboxResponse* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return inbox_->CommitInbox(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::ListTasks(grpc::CallbackServerContext* context,
                                                      const dsr::v1::ListTasksRequest* request,
                                                      dsr::v1::ListTasksResponse* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return inbox_->ListTasks(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::GetTask(grpc::CallbackServerContext* context,
                                                    const dsr::v1::GetTaskRequest* request,
                                                    dsr::v1::Task* response) {
  return calls_->RunRead(context, [this, request, response](const Principal& principal) {
    return inbox_->GetTask(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::AcknowledgeTask(
    grpc::CallbackServerContext* context, const dsr::v1::AcknowledgeTaskRequest* request,
    dsr::v1::Task* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return inbox_->Acknowledge(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::CompleteTask(
    grpc::CallbackServerContext* context, const dsr::v1::CompleteTaskRequest* request,
    dsr::v1::Task* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return inbox_->Complete(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::RefuseTask(grpc::CallbackServerContext* context,
                                                       const dsr::v1::RefuseTaskRequest* request,
                                                       dsr::v1::Task* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return inbox_->Refuse(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::ExtendTask(grpc::CallbackServerContext* context,
                                                       const dsr::v1::ExtendTaskRequest* request,
                                                       dsr::v1::Task* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return inbox_->Extend(principal, *request, response);
  });
}

grpc::ServerUnaryReactor* InboxGrpcService::RequestIdentity(
    grpc::CallbackServerContext* context, const dsr::v1::RequestIdentityRequest* request,
    dsr::v1::Task* response) {
  return calls_->RunWrite(context, [this, request, response](const Principal& principal) {
    return inbox_->RequestIdentity(principal, *request, response);
  });
}

}  // namespace dsr::broker
