#include "broker/registry/registry_validation.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace dsr::broker {
namespace {

TEST(RegistryValidationTest, ContactEmailIsTrimmedAndLowercased) {
  ASSERT_OK_AND_ASSIGN(std::string email, NormalizeContactEmail(" DPO@Example.ORG\t", "f"));
  EXPECT_EQ(email, "dpo@example.org");
}

TEST(RegistryValidationTest, ImplausibleEmailsAreRefusedWithoutEchoingThem) {
  for (const char* bad : {"", "plain", "@example.org", "a@b", "a@@b.org", "a@.org", "a@b.org.",
                          "a b@c.org", "a@b\x01.org"}) {
    absl::StatusOr<std::string> email = NormalizeContactEmail(bad, "actor.contact_email");
    EXPECT_CODE(email, absl::StatusCode::kInvalidArgument) << bad;
    if (*bad != '\0') {
      EXPECT_EQ(email.status().message().find(bad), absl::string_view::npos) << bad;
    }
  }
}

TEST(RegistryValidationTest, UnknownMaskPathIsNotEchoedWhenOdd) {
  dsr::v1::Holding holding;
  absl::Status status = ValidateHoldingField(holding, "kind", Limits());
  EXPECT_CODE(status, absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("kind"), absl::string_view::npos);
  status = ValidateHoldingField(holding, "<script>alice@example.org", Limits());
  EXPECT_CODE(status, absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().find("alice"), absl::string_view::npos);
}

TEST(RegistryValidationTest, RepeatedFieldLimitIsInclusive) {
  Limits limits;
  dsr::v1::Holding holding;
  for (int i = 0; i < limits.max_repeated; ++i)
    holding.add_data_categories("c" + std::to_string(i));
  EXPECT_OK(ValidateHoldingField(holding, "data_categories", limits));
  holding.add_data_categories("one-more");
  EXPECT_CODE(ValidateHoldingField(holding, "data_categories", limits),
              absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsr::broker
