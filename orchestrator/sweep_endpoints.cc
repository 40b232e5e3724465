// The sweep endpoints of docs/http-api.md: list, submit, show, list trials, stop, resume.

#include <utility>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/query_params.h"
#include "orchestrator/request_body.h"
#include "store/trial_status.h"

namespace labsweep::orchestrator {
namespace {

// Trials are read in pages of this many to find a sweep's best value, so that memory stays
// bounded however large the sweep.
constexpr int64_t kBestValuePage = 5000;

Result<std::optional<BestValue>> best_value(store::StoreReader& reader, store::SweepId sweep,
                                            const SweepObjective& objective) {
  if (!objective.metric) return std::optional<BestValue>();
  BestValueTracker tracker(*objective.metric, objective.goal);
  store::TrialFilter page{.limit = kBestValuePage};
  while (true) {
    Result<std::vector<store::TrialView>> trials = reader.trials(sweep, page);
    if (!trials) return trials.status();
    tracker.add(*trials);
    if (static_cast<int64_t>(trials->size()) < kBestValuePage) break;
    page.after = trials->back().trial.id;
  }
  return tracker.best();
}

}  // namespace

Result<Json> ApiEndpoints::describe_sweep(store::StoreReader& reader,
                                          const store::SweepOverview& sweep) {
  SweepObjective objective = objectives_.get(sweep.sweep);
  Result<std::optional<BestValue>> best = best_value(reader, sweep.sweep.id, objective);
  if (!best) return best.status();
  return sweep_json(sweep, objective, *best);
}

ApiResponse ApiEndpoints::health(const ApiRequest& /*request*/) {
  ApiResponse response;
  response.body = Json{{"status", "ok"}};
  return response;
}

ApiResponse ApiEndpoints::list_sweeps(const ApiRequest& request) {
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<std::vector<store::SweepOverview>> sweeps = (*reader)->sweeps();
  if (!sweeps) return error_response(sweeps.status());
  Json list = Json::array();
  for (const store::SweepOverview& sweep : *sweeps) {
    Result<Json> described = describe_sweep(**reader, sweep);
    if (!described) return error_response(described.status());
    list.push_back(std::move(*described));
  }
  ApiResponse response;
  response.body = Json{{"sweeps", std::move(list)}};
  return response;
}

ApiResponse ApiEndpoints::submit_sweep(const ApiRequest& request) {
  if (std::optional<ApiResponse> refused = reject_non_json_body(request)) return *refused;
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  Result<SweepSubmission> submit = read_submit_request(request.body);
  if (!submit) return error_response(submit.status());
  const std::string file_name = submit->file_name;
  Result<SubmitResult> result = control_.submit_sweep(std::move(*submit));
  if (!result) return error_response(result.status());
  Json diagnostics = Json::array();
  for (const sweeps::Diagnostic& d : result->diagnostics) {
    diagnostics.push_back(diagnostic_json(file_name, d));
  }
  if (!result->sweep) {
    ApiResponse refused = error_response(400, "sweep file has errors");
    refused.body["diagnostics"] = std::move(diagnostics);
    return refused;
  }
  const int64_t id = result->sweep->value;
  ApiResponse created;
  created.status = 201;
  created.body = Json{{"id", id}, {"warnings", std::move(diagnostics)}};
  created.headers.emplace_back("Location", "/api/v1/sweeps/" + std::to_string(id));
  return created;
}

ApiResponse ApiEndpoints::get_sweep(const ApiRequest& request) {
  Result<int64_t> id = path_id(request, "sweep");
  if (!id) return error_response(id.status());
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<store::SweepOverview> sweep = (*reader)->sweep(store::SweepId{*id});
  if (!sweep) return error_response(sweep.status());
  Result<Json> described = describe_sweep(**reader, *sweep);
  if (!described) return error_response(described.status());
  ApiResponse response;
  response.body = std::move(*described);
  response.body["spec"] = sweep->sweep.spec_text;
  return response;
}

ApiResponse ApiEndpoints::list_trials(const ApiRequest& request) {
  Result<int64_t> id = path_id(request, "sweep");
  if (!id) return error_response(id.status());
  Result<QueryParams> query = QueryParams::read(request.query, {"status", "after", "limit"});
  if (!query) return error_response(query.status());
  store::TrialFilter filter;
  if (std::optional<std::string_view> status = query->get("status")) {
    filter.status = store::parse_trial_status(*status);
    if (!filter.status) {
      return error_response(
          400, "query parameter 'status': unknown trial status '" + std::string(*status) + "'");
    }
  }
  Result<std::optional<int64_t>> after = query->integer("after", 0, INT64_MAX);
  if (!after) return error_response(after.status());
  Result<std::optional<int64_t>> limit = query->integer("limit", 1, kMaxPageSize);
  if (!limit) return error_response(limit.status());
  filter.after = store::TrialId{after->value_or(0)};
  const int64_t page_size = limit->value_or(kDefaultPageSize);
  filter.limit = page_size + 1;  // one more tells whether another page follows

  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<std::vector<store::TrialView>> trials = (*reader)->trials(store::SweepId{*id}, filter);
  if (!trials) return error_response(trials.status());
  const bool more = static_cast<int64_t>(trials->size()) > page_size;
  if (more) trials->pop_back();
  Json list = Json::array();
  for (const store::TrialView& trial : *trials) list.push_back(trial_json(trial));
  ApiResponse response;
  response.body = Json{{"trials", std::move(list)},
                       {"next_after", more ? Json(trials->back().trial.id.value) : Json(nullptr)}};
  return response;
}

ApiResponse ApiEndpoints::stop_sweep(const ApiRequest& request) {
  return id_action(request, "sweep", "stop",
                   [this](int64_t id) { return control_.stop_sweep(store::SweepId{id}); });
}

ApiResponse ApiEndpoints::resume_sweep(const ApiRequest& request) {
  return id_action(request, "sweep", "resume",
                   [this](int64_t id) { return control_.resume_sweep(store::SweepId{id}); });
}

}  // namespace labsweep::orchestrator
