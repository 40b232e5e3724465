#pragma once

// Which requests the dashboard answers and how (docs/dashboard.md "Serving"): its client-side
// routes get the page, /assets/NAME the embedded files, each with an ETag, a 304 for a
// matching If-None-Match, and the security headers that keep the page from being framed or
// from running any script but its own. Pure: no I/O; the HTTP server writes the answer.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace labsweep::orchestrator {

struct DashboardResponse {
  int status = 200;
  std::string_view content_type{};  // empty for a 304 or an error
  std::string_view body{};          // the embedded bytes; empty for a 304 or an error
  std::string error{};              // for a status >= 400: the sentence of the JSON error
  std::vector<std::pair<std::string, std::string>> headers{};
};

// The Content-Security-Policy of every dashboard response: only the server's own scripts,
// styles and API; no inline script, no framing.
inline constexpr std::string_view kDashboardContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// Whether `path` is the dashboard's (its page's routes, /assets/...), which serves the same
// files to everyone and holds no data.
bool is_dashboard_path(std::string_view path);

// The answer to `method` on `path` when the path is the dashboard's; nullopt when it is not
// (the API's paths, unknown paths), so that the API routes it. `if_none_match` is the
// If-None-Match header, nullopt when absent.
std::optional<DashboardResponse> route_dashboard(std::string_view method, std::string_view path,
                                                 std::optional<std::string_view> if_none_match);

}  // namespace labsweep::orchestrator
