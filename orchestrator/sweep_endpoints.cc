// The sweep endpoints of docs/http-api.md: list, submit, show, list trials, stop, resume.

#include <string>
#include <utility>
#include <vector>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/query_params.h"
#include "orchestrator/request_body.h"
#include "orchestrator/trial_fields.h"
#include "store/trial_status.h"

namespace labsweep::orchestrator {
namespace {

Result<std::optional<BestValue>> best_value(store::StoreReader& reader, store::SweepId sweep,
                                            const SweepObjective& objective) {
  if (!objective.metric) return std::optional<BestValue>();
  return reader.best_value(sweep, *objective.metric, metric_goal(objective.goal));
}

// The trials list's parameters for order=best, which pages by offset (a ranking has no id
// cursor).
Result<store::BestTrialsQuery> read_best_query(const QueryParams& query,
                                               const SweepObjective& objective, int64_t page_size) {
  for (std::string_view name : {"after", "status"}) {
    if (query.get(name)) {
      return invalid_argument("query parameter '" + std::string(name) +
                              "' does not apply to order=best (page with 'offset')");
    }
  }
  Result<std::optional<int64_t>> offset = query.integer("offset", 0, INT64_MAX - kMaxPageSize);
  if (!offset) return offset.status();
  // Without a metric no trial has a value, and the ranking is the id order.
  return store::BestTrialsQuery{.metric = objective.metric.value_or(""),
                                .goal = metric_goal(objective.goal),
                                .offset = offset->value_or(0),
                                .limit = page_size + 1};  // one more tells whether more follow
}

Result<store::TrialFilter> read_id_order_query(const QueryParams& query, int64_t page_size) {
  if (query.get("offset")) {
    return invalid_argument("query parameter 'offset' applies to order=best only");
  }
  store::TrialFilter filter;
  if (std::optional<std::string_view> status = query.get("status")) {
    filter.status = store::parse_trial_status(*status);
    if (!filter.status) {
      return invalid_argument("query parameter 'status': unknown trial status '" +
                              std::string(*status) + "'");
    }
  }
  Result<std::optional<int64_t>> after = query.integer("after", 0, INT64_MAX);
  if (!after) return after.status();
  filter.after = store::TrialId{after->value_or(0)};
  filter.limit = page_size + 1;  // one more tells whether another page follows
  return filter;
}

// {"trials": [...], `cursor`: the next page's value or null}, from a page read with one trial
// more than `page_size`. Serialized one trial at a time, each view freed once written: a page
// of 10,000 trials never exists as one JSON document.
ApiResponse trials_page(std::vector<store::TrialView>& trials, int64_t page_size,
                        const TrialFields& fields, const std::string& cursor, int64_t next) {
  const bool more = static_cast<int64_t>(trials.size()) > page_size;
  if (more) trials.pop_back();
  // Room for the whole page at once: grown by doubling, a 5 MB body is copied (and its fresh
  // pages faulted in) a dozen times over.
  constexpr size_t kBytesPerTrial = 640;
  std::string body;
  body.reserve(trials.size() * kBytesPerTrial);
  body = "{\"trials\":[";
  for (size_t i = 0; i < trials.size(); ++i) {
    if (i > 0) body += ',';
    body += to_body(trial_json(trials[i], fields));
    trials[i] = store::TrialView{};
  }
  body += "],\"" + cursor + "\":" + (more ? std::to_string(next) : "null") + "}";
  ApiResponse response;
  response.serialized_body = std::move(body);
  return response;
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
  Result<QueryParams> query =
      QueryParams::read(request.query, {"order", "status", "after", "offset", "limit", "fields"});
  if (!query) return error_response(query.status());
  Result<TrialFields> fields = TrialFields::parse(query->get("fields"));
  if (!fields) return error_response(fields.status());
  const std::string_view order = query->get("order").value_or("id");
  if (order != "id" && order != "best") {
    return error_response(
        400, "query parameter 'order': must be 'id' or 'best', not '" + std::string(order) + "'");
  }
  Result<std::optional<int64_t>> limit = query->integer("limit", 1, kMaxPageSize);
  if (!limit) return error_response(limit.status());
  const int64_t page_size = limit->value_or(kDefaultPageSize);
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  if (order == "best") {
    return list_best_trials(**reader, store::SweepId{*id}, *query, page_size, *fields);
  }

  Result<store::TrialFilter> filter = read_id_order_query(*query, page_size);
  if (!filter) return error_response(filter.status());
  Result<std::vector<store::TrialView>> trials = (*reader)->trials(store::SweepId{*id}, *filter);
  if (!trials) return error_response(trials.status());
  // The id of the page's last trial, should the extra one read show that another page follows.
  const int64_t next = trials->size() > 1 ? (*trials)[trials->size() - 2].trial.id.value : 0;
  return trials_page(*trials, page_size, *fields, "next_after", next);
}

ApiResponse ApiEndpoints::list_best_trials(store::StoreReader& reader, store::SweepId sweep,
                                           const QueryParams& query, int64_t page_size,
                                           const TrialFields& fields) {
  // The objective comes from the sweep file, read once; the sweep's record (with its trial
  // counts, which cost a pass over its trials) only the first time.
  std::optional<SweepObjective> objective = objectives_.find(sweep);
  if (!objective) {
    Result<store::SweepOverview> overview = reader.sweep(sweep);
    if (!overview) return error_response(overview.status());
    objective = objectives_.get(overview->sweep);
  }
  Result<store::BestTrialsQuery> best = read_best_query(query, *objective, page_size);
  if (!best) return error_response(best.status());
  Result<std::vector<store::TrialView>> trials = reader.best_trials(sweep, *best);
  if (!trials) return error_response(trials.status());
  return trials_page(*trials, page_size, fields, "next_offset", best->offset + page_size);
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
