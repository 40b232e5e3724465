#include "orchestrator/dashboard_routes.h"

#include "orchestrator/dashboard_assets.h"
#include "orchestrator/http_request_checks.h"

namespace labsweep::orchestrator {
namespace {

constexpr std::string_view kAssetPrefix = "/assets/";

// Whether `path` is one of the page's own routes, which the page resolves in the browser; so
// that a shared address (/sweeps/3) loads the page.
bool is_client_route(std::string_view path) {
  if (path == "/" || path == "/agents") return true;
  for (std::string_view prefix : {"/sweeps/", "/trials/"}) {
    if (path.starts_with(prefix)) return parse_positive_id(path.substr(prefix.size())).has_value();
  }
  return false;
}

// Whether an If-None-Match value ("\"a\", W/\"b\"" or "*") names `etag`.
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);  // a weak match is enough for a GET
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

DashboardResponse with_security_headers(DashboardResponse response) {
  response.headers.insert(response.headers.end(), {{"Content-Security-Policy",
                                                    std::string(kDashboardContentSecurityPolicy)},
                                                   {"X-Frame-Options", "DENY"},
                                                   {"Referrer-Policy", "no-referrer"},
                                                   {"X-Content-Type-Options", "nosniff"}});
  return response;
}

// The asset itself, or a 304 when the browser holds this version. The names carry no hash, so
// the browser revalidates each time (no-cache) and a new build shows at the next load.
DashboardResponse serve_asset(const DashboardAsset& asset,
                              std::optional<std::string_view> if_none_match) {
  DashboardResponse response;
  response.headers = {{"ETag", std::string(asset.etag)}, {"Cache-Control", "no-cache"}};
  if (if_none_match && etag_matches(*if_none_match, asset.etag)) {
    response.status = 304;
  } else {
    response.content_type = asset.content_type;
    response.body = asset.body;
  }
  return with_security_headers(std::move(response));
}

DashboardResponse error(int status, std::string message) {
  DashboardResponse response;
  response.status = status;
  response.error = std::move(message);
  if (status == 405) response.headers.emplace_back("Allow", "GET, HEAD");
  return with_security_headers(std::move(response));
}

}  // namespace

bool is_dashboard_path(std::string_view path) {
  return is_client_route(path) || path.starts_with(kAssetPrefix);
}

std::optional<DashboardResponse> route_dashboard(std::string_view method, std::string_view path,
                                                 std::optional<std::string_view> if_none_match) {
  std::optional<std::string_view> name;
  if (is_client_route(path)) {
    name = "index.html";
  } else if (path.starts_with(kAssetPrefix)) {
    name = path.substr(kAssetPrefix.size());
  } else {
    return std::nullopt;
  }
  if (method != "GET" && method != "HEAD") {
    return error(405, "method " + std::string(method) + " is not allowed here");
  }
  // The page is served at its routes only, so that it has one address per view.
  std::optional<DashboardAsset> asset = *name == "index.html" && path.starts_with(kAssetPrefix)
                                            ? std::nullopt
                                            : find_dashboard_asset(*name);
  if (!asset) return error(404, "no such path: " + std::string(path));
  return serve_asset(*asset, if_none_match);
}

}  // namespace labsweep::orchestrator
