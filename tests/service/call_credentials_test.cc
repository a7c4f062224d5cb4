#include "broker/service/call_credentials.h"

#include "gtest/gtest.h"

namespace dsr::broker {
namespace {

TEST(ClientAddressTest, OneKeyPerIpv4AddressAndPerIpv6Slash64) {
  EXPECT_EQ(ClientAddress("ipv4:192.0.2.1:5000"), "ipv4:192.0.2.1");
  EXPECT_EQ(ClientAddress("ipv6:[2001:db8::1]:5000"), "ipv6:[2001:db8::]/64");
  EXPECT_EQ(ClientAddress("ipv6:%5B::1%5D:443"), "ipv6:[::]/64");
  EXPECT_EQ(ClientAddress("ipv6:[::1]"), "ipv6:[::]/64");  // no port
  EXPECT_EQ(ClientAddress("ipv6:[::ffff:192.0.2.1]:80"), "ipv4:192.0.2.1");
  EXPECT_EQ(ClientAddress("ipv6:[fe80::1%25eth0]:80"), "ipv6:[fe80::]/64");
  // A client's many addresses in one /64 share a bucket; another /64 does not.
  EXPECT_EQ(ClientAddress("ipv6:[2001:db8:0:1:aaaa::1]:1"),
            ClientAddress("ipv6:[2001:db8:0:1:bbbb::2]:2"));
  EXPECT_NE(ClientAddress("ipv6:[2001:db8:0:1::1]:1"), ClientAddress("ipv6:[2001:db8:0:2::1]:1"));
  EXPECT_EQ(ClientAddress("ipv6:[not-an-address]:1"), "ipv6:[not-an-address]");
  EXPECT_EQ(ClientAddress("unix:/run/dsr.sock"), "unix:/run/dsr.sock");
  EXPECT_EQ(ClientAddress(""), "");
  // Two ports of one address share a bucket; two addresses do not.
  EXPECT_EQ(ClientAddress("ipv4:10.0.0.1:1"), ClientAddress("ipv4:10.0.0.1:2"));
  EXPECT_NE(ClientAddress("ipv4:10.0.0.1:1"), ClientAddress("ipv4:10.0.0.2:1"));
}

TEST(PeerIpTest, ThePeersOwnAddressExactly) {
  EXPECT_EQ(PeerIp("ipv4:192.0.2.1:5000"), "192.0.2.1");
  EXPECT_EQ(PeerIp("ipv6:[2001:db8::1]:5000"), "2001:db8::1");
  EXPECT_EQ(PeerIp("ipv6:%5B::1%5D:443"), "::1");
  EXPECT_EQ(PeerIp("ipv6:[fe80::1%25eth0]:80"), "fe80::1");
  EXPECT_EQ(PeerIp("ipv6:[::ffff:192.0.2.1]:80"), "192.0.2.1");
  EXPECT_EQ(PeerIp("ipv6:[not-an-address]:1"), "");
  EXPECT_EQ(PeerIp("unix:/run/dsr.sock"), "");
  EXPECT_EQ(PeerIp(""), "");
}

}  // namespace
}  // namespace dsr::broker
