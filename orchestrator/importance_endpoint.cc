// GET /api/v1/sweeps/{id}/importance (docs/http-api.md): which parameters matter for a metric,
// from the sweep's finished trials (sweeps/analysis/parameter_importance.h).

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/trial_config.h"
#include "store/trial_status.h"
#include "sweeps/analysis/parameter_feature.h"
#include "sweeps/analysis/parameter_importance.h"
#include "sweeps/python_format.h"

namespace labsweep::orchestrator {
namespace {

namespace analysis = sweeps::analysis;

std::string_view goal_name(sweeps::Goal goal) {
  return goal == sweeps::Goal::kMaximize ? "maximize" : "minimize";
}

// The metric and goal asked for: `metric=` (default the sweep's) and `goal=` (default the
// sweep's for its metric, else minimize). Empty metric: the sweep has none and none was asked.
Result<ImportanceKey> read_objective_query(const QueryParams& query,
                                           const sweeps::SweepSpec* spec) {
  ImportanceKey key;
  std::optional<std::string_view> metric = query.get("metric");
  if (metric && metric->empty()) return invalid_argument("query parameter 'metric': empty name");
  const std::optional<sweeps::Metric>& own = spec ? spec->metric : std::nullopt;
  if (metric) key.metric = std::string(*metric);
  if (!metric && own) key.metric = own->name;
  if (own && own->name == key.metric) key.goal = own->goal;
  if (std::optional<std::string_view> goal = query.get("goal")) {
    if (*goal != "minimize" && *goal != "maximize") {
      return invalid_argument("query parameter 'goal': must be 'minimize' or 'maximize', not '" +
                              std::string(*goal) + "'");
    }
    key.goal = *goal == "maximize" ? sweeps::Goal::kMaximize : sweeps::Goal::kMinimize;
  }
  return key;
}

// Completed and stopped trials: they ran as planned or were judged, and their metrics are
// final. Failed and lost ones say more about the machine than about the parameters.
bool finished(store::TrialStatus status) {
  return status == store::TrialStatus::kCompleted || status == store::TrialStatus::kStopped;
}

int64_t finished_count(const store::TrialCounts& counts) {
  return counts.of(store::TrialStatus::kCompleted) + counts.of(store::TrialStatus::kStopped);
}

// The trial's best value of the metric by the goal, as the trials table and order=best rank
// it; NaN when it has none.
double objective_of(const store::TrialView& view, const ImportanceKey& key) {
  for (const store::MetricSummary& summary : view.summaries) {
    if (summary.key != key.metric) continue;
    const auto& best = key.goal == sweeps::Goal::kMaximize ? summary.max : summary.min;
    if (best) return best->value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<analysis::TrialSample> samples_of(const std::vector<store::TrialView>& trials,
                                              const sweeps::SweepSpec& spec,
                                              const ImportanceKey& key) {
  std::vector<analysis::TrialSample> samples;
  for (const store::TrialView& view : trials) {
    if (!finished(view.trial.status)) continue;
    double objective = objective_of(view, key);
    if (!std::isfinite(objective)) continue;
    Result<std::vector<sweeps::Value>> values = trial_values(spec, view.trial.params_json);
    if (!values) continue;  // parameters stored by hand or by another version
    samples.push_back({std::move(*values), objective});
  }
  return samples;
}

Json value_json(const sweeps::Value& value) {
  Json json = Json::parse(sweeps::python_json_dumps(value), nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? Json(sweeps::python_str(value)) : json;
}

// Each varying parameter's scale (and a categorical one's values), for the dashboard's axes.
Json space_json(const sweeps::SweepSpec* spec) {
  Json space = Json::array();
  if (!spec) return space;
  for (const sweeps::Parameter& p : spec->parameters) {
    if (!analysis::varies(p)) continue;
    analysis::ParameterFeature feature(p);
    Json axis{{"name", p.name()}, {"scale", analysis::scale_name(feature.scale())}};
    if (feature.scale() == analysis::Scale::kCategorical) {
      Json values = Json::array();
      for (const sweeps::Value& v : p.values) values.push_back(value_json(v));
      axis["values"] = std::move(values);
    }
    space.push_back(std::move(axis));
  }
  return space;
}

Json optional_number(std::optional<double> x) { return x ? Json(*x) : Json(nullptr); }

Json answer_json(const ImportanceKey& key, const sweeps::SweepSpec* spec,
                 const analysis::ImportanceReport& report) {
  Json parameters = Json::array();
  for (const analysis::ParameterImportance& p : report.parameters) {
    parameters.push_back(Json{{"name", p.name},
                              {"importance", p.importance},
                              {"correlation", optional_number(p.correlation)}});
  }
  return Json{{"metric", key.metric.empty() ? Json(nullptr) : Json(key.metric)},
              {"goal", goal_name(key.goal)},
              {"trials_used", report.trials_used},
              {"explained", optional_number(report.explained)},
              {"parameters", std::move(parameters)},
              {"space", space_json(spec)},
              {"reason", report.reason ? Json(*report.reason) : Json(nullptr)}};
}

}  // namespace

ApiResponse ApiEndpoints::parameter_importance(const ApiRequest& request) {
  Result<int64_t> id = path_id(request, "sweep");
  if (!id) return error_response(id.status());
  Result<QueryParams> query = QueryParams::read(request.query, {"metric", "goal"});
  if (!query) return error_response(query.status());
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<store::SweepOverview> sweep = (*reader)->sweep(store::SweepId{*id});
  if (!sweep) return error_response(sweep.status());
  std::shared_ptr<const sweeps::SweepSpec> spec = importance_.spec(sweep->sweep);
  Result<ImportanceKey> key = read_objective_query(*query, spec.get());
  if (!key) return error_response(key.status());
  key->finished = finished_count(sweep->trials);
  ApiResponse response;
  if (std::optional<Json> kept = importance_.find(sweep->sweep.id, *key)) {
    response.body = std::move(*kept);
    return response;
  }
  analysis::ImportanceReport report;
  bool final = true;
  if (!spec) {
    report.reason = "the sweep file no longer reads";
  } else if (key->metric.empty()) {
    report.reason = "the sweep has no metric: name one with metric=";
  } else {
    Result<std::vector<store::TrialView>> trials = (*reader)->trials(sweep->sweep.id);
    if (!trials) return error_response(trials.status());
    report = analysis::parameter_importance(spec->parameters, samples_of(*trials, *spec, *key));
    final = static_cast<int64_t>(report.trials_used) == key->finished;
  }
  response.body = answer_json(*key, spec.get(), report);
  importance_.keep(sweep->sweep.id, *key, response.body, final);
  return response;
}

}  // namespace labsweep::orchestrator
