#include "orchestrator/http_request_checks.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace labsweep::orchestrator {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// IPv6 literals appear in brackets in Host and Origin ("[::1]:8080").
std::string bracketed(std::string host) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

}  // namespace

std::optional<int64_t> parse_positive_id(std::string_view text) {
  if (!all_digits(text) || text.front() == '0') return std::nullopt;
  return parse_int64(text);
}

std::optional<int64_t> parse_int64(std::string_view text) {
  std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  if (!all_digits(digits)) return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool is_json_media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return lower(type) == "application/json";
}

OriginPolicy::OriginPolicy(std::string bound_host, int port, std::vector<std::string> extra_hosts)
    : port_(port) {
  hosts_ = {"127.0.0.1", "localhost", "[::1]"};
  extra_hosts.push_back(std::move(bound_host));
  for (std::string& host : extra_hosts) {
    if (!host.empty()) hosts_.push_back(bracketed(lower(host)));
  }
}

bool OriginPolicy::is_own_authority(std::string_view authority, bool port_required) const {
  std::string_view name = authority;
  std::optional<std::string_view> port;
  size_t colon = authority.rfind(':');
  // A colon inside brackets belongs to an IPv6 address, not to the port.
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    name = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (port) {
    std::optional<int64_t> number = parse_positive_id(*port);
    if (!number || *number != port_) return false;
  } else if (port_required) {
    return false;
  }
  std::string wanted = lower(name);
  return std::find(hosts_.begin(), hosts_.end(), wanted) != hosts_.end();
}

Status OriginPolicy::check_host(std::optional<std::string_view> host) const {
  if (!host || host->empty()) return {StatusCode::kFailedPrecondition, "missing Host header"};
  if (!is_own_authority(*host, /*port_required=*/false)) {
    return {StatusCode::kFailedPrecondition,
            "Host '" + std::string(*host) + "' does not name this server"};
  }
  return Status::ok();
}

Status OriginPolicy::check_origin(std::optional<std::string_view> origin) const {
  if (!origin) return Status::ok();
  std::string_view rest = *origin;
  bool scheme_ok = false;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (rest.starts_with(scheme)) {
      rest.remove_prefix(scheme.size());
      scheme_ok = true;
      break;
    }
  }
  if (!scheme_ok || rest.find('/') != std::string_view::npos ||
      !is_own_authority(rest, /*port_required=*/true)) {
    return {StatusCode::kFailedPrecondition,
            "cross-origin request from '" + std::string(*origin) + "' refused"};
  }
  return Status::ok();
}

}  // namespace labsweep::orchestrator
