#include "protocol/endpoint_scope.h"

#include <gtest/gtest.h>

namespace labsweep::protocol {
namespace {

TEST(EndpointScopeTest, LoopbackEndpoints) {
  for (const char* endpoint :
       {"tcp://127.0.0.1:5555", "tcp://127.3.2.1:1", "tcp://localhost:5555", "tcp://[::1]:5555",
        "ipc:///run/labsweep.sock", "inproc://x", "tcp://10.0.0.1;127.0.0.1:5555"}) {
    EXPECT_TRUE(is_loopback_endpoint(endpoint)) << endpoint;
  }
}

TEST(EndpointScopeTest, EverythingElseReachesTheNetwork) {
  for (const char* endpoint :
       {"tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://10.1.2.3:5555", "tcp://head:5555",
        "tcp://eth0:5555", "tcp://lo:5555", "tcp://[::]:5555", "tcp://[::ffff:127.0.0.1]:5555",
        "tcp://128.0.0.1:5555", "tcp://127.0.0.1.evil.org:5555", "udp://127.0.0.1:5",
        "tcp://127.0.0.1;10.0.0.1:5555", "tcp://[::1:5555", ""}) {
    EXPECT_FALSE(is_loopback_endpoint(endpoint)) << endpoint;
  }
}

TEST(EndpointScopeTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.9.8.7", "localhost", "::1", "[::1]"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"0.0.0.0", "::", "[::]", "10.0.0.1", "head", "", "[::1", "::1]",
                           "127.0.0.1.evil.org", "::ffff:127.0.0.1", "LOCALHOST.lab"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(EndpointScopeTest, NetworkEndpointsAreThoseOfNetworkTransportsOffLoopback) {
  EXPECT_TRUE(is_network_endpoint("tcp://10.1.2.3:5555"));
  EXPECT_TRUE(is_network_endpoint("tcp://head:5555"));
  EXPECT_TRUE(is_network_endpoint("ws://head:80"));
  EXPECT_FALSE(is_network_endpoint("tcp://127.0.0.1:5555"));
  EXPECT_FALSE(is_network_endpoint("ipc:///run/labsweep.sock"));
  EXPECT_FALSE(is_network_endpoint("nonsense://here"));  // refused when connecting
}

}  // namespace
}  // namespace labsweep::protocol
