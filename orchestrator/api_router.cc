#include "orchestrator/api_router.h"

namespace labsweep::orchestrator {
namespace {

// "/a/b" -> {"a", "b"}; empty segments ("//", a trailing '/') are kept, so such paths match
// no route.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.starts_with('/')) return segments;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_capture(std::string_view segment) {
  return segment.starts_with('{') && segment.ends_with('}');
}

}  // namespace

ApiResponse error_response(int status, std::string message) {
  ApiResponse response;
  response.status = status;
  response.body = Json{{"error", std::move(message)}};
  return response;
}

int http_status_of(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

ApiResponse error_response(const Status& status) {
  return error_response(http_status_of(status), status.message());
}

void ApiRouter::add(std::string method, std::string_view pattern, ApiHandler handler) {
  Route route{std::move(method), {}, false, std::move(handler)};
  for (std::string_view segment : split_path(pattern)) route.segments.emplace_back(segment);
  route.rest = !route.segments.empty() && route.segments.back().ends_with("...}");
  routes_.push_back(std::move(route));
}

bool ApiRouter::matches(const Route& route, const std::vector<std::string_view>& segments,
                        std::vector<std::string>* args) {
  const size_t fixed = route.segments.size() - (route.rest ? 1 : 0);
  if (route.rest ? segments.size() <= fixed : segments.size() != fixed) return false;
  args->clear();
  for (size_t i = 0; i < fixed; ++i) {
    if (segments[i].empty()) return false;
    if (is_capture(route.segments[i])) {
      args->emplace_back(segments[i]);
    } else if (route.segments[i] != segments[i]) {
      return false;
    }
  }
  if (route.rest) {
    std::string rest;
    for (size_t i = fixed; i < segments.size(); ++i) {
      if (i > fixed) rest += '/';
      rest += segments[i];
    }
    args->push_back(std::move(rest));
  }
  return true;
}

std::variant<ApiRouter::Found, ApiRouter::WrongMethod, ApiRouter::Missing> ApiRouter::route(
    std::string_view method, std::string_view path) const {
  if (method == "HEAD") method = "GET";
  std::vector<std::string_view> segments = split_path(path);
  std::vector<std::string> args;
  std::string allow;
  for (const Route& route : routes_) {
    if (!matches(route, segments, &args)) continue;
    if (route.method == method) return Found{&route.handler, std::move(args)};
    if (allow.find(route.method) == std::string::npos) {
      allow += (allow.empty() ? "" : ", ") + route.method;
    }
  }
  if (!allow.empty()) return WrongMethod{std::move(allow)};
  return Missing{};
}

}  // namespace labsweep::orchestrator
