#include "protocol/endpoint_scope.h"

#include <arpa/inet.h>

#include <string>

namespace labsweep::protocol {
namespace {

// The host of tcp://HOST:PORT, without the brackets of an IPv6 literal.
std::string_view tcp_host(std::string_view address) {
  if (address.starts_with('[')) {
    size_t close = address.find(']');
    return close == std::string_view::npos ? std::string_view{} : address.substr(1, close - 1);
  }
  size_t colon = address.rfind(':');
  return colon == std::string_view::npos ? address : address.substr(0, colon);
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool is_loopback_endpoint(std::string_view endpoint) {
  if (endpoint.starts_with("ipc://") || endpoint.starts_with("inproc://")) return true;
  if (!endpoint.starts_with("tcp://")) return false;
  std::string_view address = endpoint.substr(6);
  // tcp://SOURCE;HOST:PORT names a source address to connect from: the destination decides.
  if (size_t semicolon = address.find(';'); semicolon != std::string_view::npos)
    address = address.substr(semicolon + 1);
  return is_loopback_host(tcp_host(address));
}

bool is_network_endpoint(std::string_view endpoint) {
  if (is_loopback_endpoint(endpoint)) return false;
  for (std::string_view scheme : {"tcp://", "tipc://", "vmci://", "ws://", "wss://", "udp://",
                                  "pgm://", "epgm://", "norm://"})
    if (endpoint.starts_with(scheme)) return true;
  return false;
}

}  // namespace labsweep::protocol
