#pragma once

// The endpoints of docs/http-api.md, on the API's own request and response types: reads from
// the store's readers, changes through SweepControl. Thread-safe: the HTTP threads call them
// at once.

#include <functional>
#include <optional>
#include <string_view>

#include "orchestrator/api_router.h"
#include "orchestrator/importance_cache.h"
#include "orchestrator/query_params.h"
#include "orchestrator/reader_pool.h"
#include "orchestrator/sweep_control.h"
#include "orchestrator/sweep_objective.h"
#include "orchestrator/trial_fields.h"

namespace labsweep::orchestrator {

// Bounds on what one request may ask for.
inline constexpr int64_t kDefaultPageSize = 1000;
inline constexpr int64_t kMaxPageSize = 10'000;
inline constexpr size_t kMaxTrialsPerMetricRequest = 1000;

class ApiEndpoints {
 public:
  // Borrows `readers` and `control`, which must outlive it.
  ApiEndpoints(ReaderPool& readers, SweepControl& control) : readers_(readers), control_(control) {}

  // Adds every endpoint to `router`; the routes call back into this object.
  void add_routes(ApiRouter& router);

 private:
  // sweep_endpoints.cc
  ApiResponse health(const ApiRequest& request);
  ApiResponse list_sweeps(const ApiRequest& request);
  ApiResponse submit_sweep(const ApiRequest& request);
  ApiResponse get_sweep(const ApiRequest& request);
  ApiResponse list_trials(const ApiRequest& request);
  ApiResponse list_best_trials(store::StoreReader& reader, store::SweepId sweep,
                               const QueryParams& query, int64_t page_size,
                               const TrialFields& fields);
  ApiResponse stop_sweep(const ApiRequest& request);
  ApiResponse resume_sweep(const ApiRequest& request);
  // validate_endpoint.cc: POST /sweeps's reading and checks, with nothing submitted.
  ApiResponse validate_sweep(const ApiRequest& request);
  // The sweep's JSON with its objective and best value (an index lookup, whatever its size).
  Result<Json> describe_sweep(store::StoreReader& reader, const store::SweepOverview& sweep);

  // trial_endpoints.cc
  ApiResponse get_trial(const ApiRequest& request);
  ApiResponse stop_trial(const ApiRequest& request);
  ApiResponse metric_series(const ApiRequest& request);
  ApiResponse many_metric_series(const ApiRequest& request);
  ApiResponse list_agents(const ApiRequest& request);
  ApiResponse list_events(const ApiRequest& request);

  // importance_endpoint.cc
  ApiResponse parameter_importance(const ApiRequest& request);
  // output_endpoint.cc
  ApiResponse trial_output(const ApiRequest& request);

  ReaderPool& readers_;
  SweepControl& control_;
  SweepObjectiveCache objectives_;
  ImportanceCache importance_;
};

// Helpers the endpoint files share (api_endpoints.cc).

// The id in `args[0]`, or a 400 naming `what` ("sweep") when it is not a positive integer.
Result<int64_t> path_id(const ApiRequest& request, std::string_view what);
// The shared shape of the actions on one sweep or trial (stop, resume): checks the body and
// the id, runs `act` on the id and answers {"id": ID, "action": ACTION} or the error.
ApiResponse id_action(const ApiRequest& request, std::string_view what, std::string_view action,
                      const std::function<Status(int64_t)>& act);
// The 415 response for a request whose Content-Type is not JSON, or that has a body but no
// Content-Type; nullopt otherwise.
std::optional<ApiResponse> reject_non_json_body(const ApiRequest& request);

}  // namespace labsweep::orchestrator
