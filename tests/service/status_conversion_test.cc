#include "broker/service/status_conversion.h"

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

}  // namespace
}  // namespace dsr::broker
