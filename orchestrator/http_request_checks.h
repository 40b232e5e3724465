#pragma once

// Checks on what arrives with an HTTP request before any handler trusts it: ids and integers
// in paths and queries, the Host and Origin headers (DNS rebinding and cross-site requests,
// docs/http-api.md "Security"), and the body's media type. Pure functions; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace labsweep::orchestrator {

// A positive decimal integer without sign or leading zeros that fits in int64 ("17");
// nullopt for anything else ("0", "-1", "1abc", "017", "9223372036854775808").
std::optional<int64_t> parse_positive_id(std::string_view text);

// A decimal integer with an optional leading '-' that fits in int64; nullopt otherwise.
std::optional<int64_t> parse_int64(std::string_view text);

// Whether a Content-Type header value names JSON: "application/json", any case, optionally
// followed by parameters ("; charset=utf-8").
bool is_json_media_type(std::string_view content_type);

// Which Host and Origin headers belong to this server: the loopback names, the bound address
// and any configured names, each with the bound port or (for Host) without one.
class OriginPolicy {
 public:
  // `bound_host` is the address the server listens on; `extra_hosts` are further names that
  // reach it (lower case compared, no port).
  OriginPolicy(std::string bound_host, int port, std::vector<std::string> extra_hosts);

  // Ok when `host` (the Host header; nullopt when absent) names this server.
  Status check_host(std::optional<std::string_view> host) const;
  // Ok when there is no Origin header or it is this server's own origin.
  Status check_origin(std::optional<std::string_view> origin) const;

 private:
  // Whether `authority` ("name", "name:port", "[::1]:port") is one of ours; `port_required`
  // when a missing port does not count as the default (origins always carry ours).
  bool is_own_authority(std::string_view authority, bool port_required) const;

  std::vector<std::string> hosts_;  // lower case; IPv6 addresses in brackets
  int port_ = 0;
};

}  // namespace labsweep::orchestrator
