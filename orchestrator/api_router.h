#pragma once

// The API's requests and responses, independent of the HTTP library, and the table that maps a
// method and a path to the handler that serves it: so that a path that exists with another
// method is told apart (405, with the methods it has) from one that does not exist (404).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"
#include "orchestrator/json_views.h"

namespace labsweep::orchestrator {

struct ApiRequest {
  std::vector<std::string> args{};  // what the pattern's "{...}" segments captured, in order
  std::vector<std::pair<std::string, std::string>> query{};  // decoded, in the order given
  std::string content_type{};                                // empty when absent
  std::string body{};
};

struct ApiResponse {
  int status = 200;
  Json body = Json::object();
  // When set, sent instead of `body`: JSON serialized already. A long list is written item by
  // item, so that no document of the whole list is held at once (a page of 10,000 trials as a
  // DOM takes several times the memory of its text).
  std::optional<std::string> serialized_body{};
  std::vector<std::pair<std::string, std::string>> headers{};
};

// {"error": message} with `status`.
ApiResponse error_response(int status, std::string message);
// The HTTP status a failed Status maps to (docs/http-api.md): kNotFound 404,
// kFailedPrecondition 409, kInvalidArgument 400, anything else 500.
int http_status_of(const Status& status);
ApiResponse error_response(const Status& status);

using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

class ApiRouter {
 public:
  // `pattern` is a path of '/'-separated segments: literal text, "{name}" for one segment, or
  // a last "{name...}" for the rest of the path (one or more segments, rejoined with '/').
  void add(std::string method, std::string_view pattern, ApiHandler handler);

  struct Found {
    const ApiHandler* handler;
    std::vector<std::string> args;
  };
  struct WrongMethod {
    std::string allow;  // the methods the path has, for the Allow header ("GET, POST")
  };
  struct Missing {};
  // HEAD is served as GET.
  std::variant<Found, WrongMethod, Missing> route(std::string_view method,
                                                  std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    bool rest = false;  // the last segment captures the rest of the path
    ApiHandler handler;
  };
  static bool matches(const Route& route, const std::vector<std::string_view>& segments,
                      std::vector<std::string>* args);

  std::vector<Route> routes_;
};

}  // namespace labsweep::orchestrator
