#include "broker/requests/request_types.h"

#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

// A request type added to the API without its row would be refused at
// submit; this test names it first.
TEST(RequestTypesTest, EveryTypeHasTraits) {
  const google::protobuf::EnumDescriptor* types = dsr::v1::RequestType_descriptor();
  for (int i = 0; i < types->value_count(); ++i) {
    const int type = types->value(i)->number();
    if (type == dsr::v1::REQUEST_TYPE_UNSPECIFIED) {
      EXPECT_EQ(TraitsOf(type), nullptr);
      continue;
    }
    const RequestTypeTraits* traits = TraitsOf(type);
    ASSERT_NE(traits, nullptr) << types->value(i)->name() << " has no row in request_types.cc";
    EXPECT_FALSE(traits->outcomes.empty()) << types->value(i)->name();
    EXPECT_TRUE(OutcomeFits(type, dsr::v1::NO_DATA_FOUND)) << types->value(i)->name();
    // A type whose holders send reports is answered by ACCESS_PROVIDED.
    EXPECT_EQ(traits->reports, OutcomeFits(type, dsr::v1::ACCESS_PROVIDED))
        << types->value(i)->name();
    EXPECT_TRUE(traits->reports || !traits->portable) << types->value(i)->name();
  }
}

TEST(RequestTypesTest, TheLawsRows) {
  EXPECT_TRUE(OutcomeFits(dsr::v1::ERASURE, dsr::v1::UNLEARNED));
  EXPECT_FALSE(OutcomeFits(dsr::v1::ERASURE, dsr::v1::ACCESS_PROVIDED));
  EXPECT_FALSE(OutcomeFits(dsr::v1::RECTIFICATION, dsr::v1::ERASED));
  EXPECT_TRUE(TraitsOf(dsr::v1::PORTABILITY)->portable);
  EXPECT_FALSE(TraitsOf(dsr::v1::ACCESS)->portable);
  // A copy made before an erasure was answered still holds the data; an
  // access request answered is over.
  EXPECT_TRUE(TraitsOf(dsr::v1::ERASURE)->forwarded_when_answered);
  EXPECT_FALSE(TraitsOf(dsr::v1::ACCESS)->forwarded_when_answered);
  EXPECT_FALSE(OutcomeFits(dsr::v1::REQUEST_TYPE_UNSPECIFIED, dsr::v1::NO_DATA_FOUND));
}

}  // namespace
}  // namespace dsr::broker
