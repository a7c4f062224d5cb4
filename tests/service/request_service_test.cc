// RequestService over a real gRPC connection to an in-process broker.

#include "dsr/v1/request_service.grpc.pb.h"
#include "tests/service/broker_fixture.h"

namespace dsr::testing {
namespace {

using grpc::StatusCode;

class RequestServiceTest : public BrokerFixture {
 protected:
  void SetUp() override {
    const std::string token = CreateActor("acme");
    source_ = CreateHolding(token, "acme", "source");
    const std::string copy = CreateHolding(token, "acme", "copy");
    ASSERT_TRUE(CreateLink(token, copy, source_).ok());
    requests_ = dsr::v1::RequestService::NewStub(channel_);
  }
  dsr::v1::SubmitRequestRequest Erasure() const {
    dsr::v1::SubmitRequestRequest request;
    request.mutable_request()->set_type(dsr::v1::ERASURE);
    auto* id = request.mutable_request()->add_subject_identifiers();
    id->set_type(dsr::v1::SubjectIdentifier::PHONE);
    id->set_value("+44 20 7946 0958");
    request.mutable_request()->add_targets(source_);
    return request;
  }

  std::string source_;
  std::unique_ptr<dsr::v1::RequestService::Stub> requests_;
};

TEST_F(RequestServiceTest, SubmitThenReadAndCancelWithTheReceipt) {
  dsr::v1::SubmitRequestResponse submitted;
  grpc::Status status = requests_->SubmitRequest(Context().get(), Erasure(), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(submitted.tasks_size(), 2);
  EXPECT_EQ(submitted.request().subject_identifiers(0).value(), "+442079460958");

  dsr::v1::GetRequestRequest get;
  get.set_name(submitted.request().name());
  dsr::v1::GetRequestResponse read;
  ASSERT_TRUE(requests_->GetRequest(Context(submitted.receipt_token()).get(), get, &read).ok());
  EXPECT_EQ(read.tasks_size(), 2);
  EXPECT_EQ(requests_->GetRequest(Context().get(), get, &read).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(requests_->GetRequest(Context("dsr_receipt_forged").get(), get, &read).error_code(),
            StatusCode::UNAUTHENTICATED);

  dsr::v1::CancelRequestRequest cancel;
  cancel.set_name(submitted.request().name());
  ASSERT_TRUE(
      requests_->CancelRequest(Context(submitted.receipt_token()).get(), cancel, &read).ok());
  EXPECT_EQ(read.request().state(), dsr::v1::Request::CANCELLED);

  Restart();
  requests_ = dsr::v1::RequestService::NewStub(channel_);
  ASSERT_TRUE(requests_->GetRequest(Context(submitted.receipt_token()).get(), get, &read).ok());
  EXPECT_EQ(read.request().state(), dsr::v1::Request::CANCELLED);
}

TEST_F(RequestServiceTest, BadIdentifierIsRefusedWithoutEchoingIt) {
  dsr::v1::SubmitRequestRequest request = Erasure();
  request.mutable_request()->mutable_subject_identifiers(0)->set_value("call me maybe 555");
  dsr::v1::SubmitRequestResponse response;
  grpc::Status status = requests_->SubmitRequest(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("subject_identifiers[0]"), std::string::npos);
  EXPECT_EQ(status.error_message().find("maybe"), std::string::npos);
}

}  // namespace
}  // namespace dsr::testing
