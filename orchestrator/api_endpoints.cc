#include "orchestrator/api_endpoints.h"

#include "orchestrator/http_request_checks.h"
#include "orchestrator/query_params.h"
#include "orchestrator/request_body.h"

namespace labsweep::orchestrator {
void ApiEndpoints::add_routes(ApiRouter& router) {
  auto bind = [this](ApiResponse (ApiEndpoints::*method)(const ApiRequest&)) {
    return [this, method](const ApiRequest& request) { return (this->*method)(request); };
  };
  router.add("GET", "/api/v1/health", bind(&ApiEndpoints::health));
  router.add("GET", "/api/v1/sweeps", bind(&ApiEndpoints::list_sweeps));
  router.add("POST", "/api/v1/sweeps", bind(&ApiEndpoints::submit_sweep));
  router.add("GET", "/api/v1/sweeps/{id}", bind(&ApiEndpoints::get_sweep));
  router.add("POST", "/api/v1/validate", bind(&ApiEndpoints::validate_sweep));
  router.add("GET", "/api/v1/sweeps/{id}/trials", bind(&ApiEndpoints::list_trials));
  router.add("GET", "/api/v1/sweeps/{id}/importance", bind(&ApiEndpoints::parameter_importance));
  router.add("POST", "/api/v1/sweeps/{id}/stop", bind(&ApiEndpoints::stop_sweep));
  router.add("POST", "/api/v1/sweeps/{id}/resume", bind(&ApiEndpoints::resume_sweep));
  router.add("GET", "/api/v1/trials/{id}", bind(&ApiEndpoints::get_trial));
  router.add("POST", "/api/v1/trials/{id}/stop", bind(&ApiEndpoints::stop_trial));
  router.add("GET", "/api/v1/trials/{id}/metrics/{key...}", bind(&ApiEndpoints::metric_series));
  router.add("GET", "/api/v1/trials/{id}/output/{stream}", bind(&ApiEndpoints::trial_output));
  router.add("GET", "/api/v1/metrics", bind(&ApiEndpoints::many_metric_series));
  router.add("GET", "/api/v1/agents", bind(&ApiEndpoints::list_agents));
  router.add("GET", "/api/v1/events", bind(&ApiEndpoints::list_events));
}

Result<int64_t> path_id(const ApiRequest& request, std::string_view what) {
  const std::string& text = request.args.at(0);
  std::optional<int64_t> id = parse_positive_id(text);
  if (!id) {
    return invalid_argument("invalid " + std::string(what) + " id '" + text +
                            "': expected a positive decimal integer");
  }
  return *id;
}

ApiResponse id_action(const ApiRequest& request, std::string_view what, std::string_view action,
                      const std::function<Status(int64_t)>& act) {
  if (std::optional<ApiResponse> refused = reject_non_json_body(request)) return *refused;
  Result<int64_t> id = path_id(request, what);
  if (!id) return error_response(id.status());
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  if (Status body = read_empty_request(request.body); !body.is_ok()) return error_response(body);
  if (Status done = act(*id); !done.is_ok()) return error_response(done);
  ApiResponse response;
  response.body = Json{{"id", *id}, {"action", std::string(action)}};
  return response;
}

std::optional<ApiResponse> reject_non_json_body(const ApiRequest& request) {
  // A form (urlencoded or multipart) that httplib has already taken apart leaves the body
  // empty: its media type alone must refuse it, so that a form can never trigger an action.
  bool blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (request.content_type.empty() ? blank : is_json_media_type(request.content_type)) {
    return std::nullopt;
  }
  return error_response(415, "request body must be application/json");
}

}  // namespace labsweep::orchestrator
