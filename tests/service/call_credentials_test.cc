#include "broker/service/call_credentials.h"

#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

TEST(ClientAddressTest, DropsThePortOnly) {
  EXPECT_EQ(ClientAddress("ipv4:192.0.2.1:5000"), "ipv4:192.0.2.1");
  EXPECT_EQ(ClientAddress("ipv6:[2001:db8::1]:5000"), "ipv6:[2001:db8::1]");
  EXPECT_EQ(ClientAddress("ipv6:%5B::1%5D:443"), "ipv6:%5B::1%5D");
  EXPECT_EQ(ClientAddress("ipv6:[::1]"), "ipv6:[::1]");  // no port: unchanged
  EXPECT_EQ(ClientAddress("unix:/run/dsr.sock"), "unix:/run/dsr.sock");
  EXPECT_EQ(ClientAddress(""), "");
  // Two ports of one address share a bucket; two addresses do not.
  EXPECT_EQ(ClientAddress("ipv4:10.0.0.1:1"), ClientAddress("ipv4:10.0.0.1:2"));
  EXPECT_NE(ClientAddress("ipv4:10.0.0.1:1"), ClientAddress("ipv4:10.0.0.2:1"));
}

}  // namespace
}  // namespace dsr::broker
