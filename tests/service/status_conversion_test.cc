#include "broker/service/status_conversion.h"

#include "broker/core/client_status.h"
#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

TEST(StatusConversionTest, CodesMapOneToOneAndMessagesPass) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status in(static_cast<absl::StatusCode>(code), "a message");
    const grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.error_code()), code);
  }
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("holding not found")).error_message(),
            "holding not found");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(StatusConversionTest, StorageDetailsStayInside) {
  for (const absl::Status& in :
       {absl::InternalError("/var/dsr/db/000012.sst: checksum"),
        absl::DataLossError("stored ActorRecord does not parse"), absl::UnknownError("x")}) {
    EXPECT_EQ(ToGrpcStatus(in).error_message().find("ActorRecord"), std::string::npos);
    EXPECT_EQ(ToGrpcStatus(in).error_message().find("/var/dsr"), std::string::npos);
  }
}

// UNAVAILABLE means two things a client must tell apart: the broker going
// away (reconnect to a running one) and its storage failing (retry later).
TEST(StatusConversionTest, ShutdownIsNotTakenForAStorageFailure) {
  const grpc::Status shutdown = ToGrpcStatus(ShuttingDown("the broker is shutting down; retry"));
  EXPECT_EQ(shutdown.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(shutdown.error_message(), "the broker is shutting down; retry");
  const grpc::Status storage = ToGrpcStatus(absl::UnavailableError("/var/dsr/db: No space left"));
  EXPECT_EQ(storage.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(storage.error_message(), "the broker cannot reach its storage right now; retry later");
  // The mark is the broker's own: a status with the same words but without
  // it is the storage's.
  EXPECT_FALSE(IsShuttingDown(absl::UnavailableError("the broker is shutting down; retry")));
  EXPECT_EQ(ToGrpcStatus(Overloaded("too many calls")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace dsr::broker
