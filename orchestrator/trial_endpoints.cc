// The trial, metric, agent and event endpoints of docs/http-api.md.

#include <algorithm>
#include <set>
#include <span>
#include <utility>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/http_request_checks.h"
#include "orchestrator/lttb.h"
#include "orchestrator/points_json.h"
#include "orchestrator/query_params.h"
#include "orchestrator/trial_command.h"

namespace labsweep::orchestrator {
namespace {

// Bounds on max_points: LTTB needs the first, the last and one bucket; past a million a series
// is sent whole in practice, and no chart is that wide.
constexpr int64_t kMinMaxPoints = 3;
constexpr int64_t kMaxMaxPoints = 1'000'000;

// How the metric endpoints return a series (docs/http-api.md): from which step, and whether
// downsampled with LTTB (lttb.h) to at most how many points, measured along which axis.
struct SeriesRequest {
  std::optional<int64_t> from_step{};
  std::optional<size_t> max_points{};
  SeriesAxis axis = SeriesAxis::kStep;
  bool columns = false;  // `layout=columns`: steps, values and times as three arrays
};

Result<SeriesRequest> read_series_request(const QueryParams& query) {
  Result<std::optional<int64_t>> from_step = query.integer("from_step", INT64_MIN, INT64_MAX);
  if (!from_step) return from_step.status();
  Result<std::optional<int64_t>> max_points =
      query.integer("max_points", kMinMaxPoints, kMaxMaxPoints);
  if (!max_points) return max_points.status();
  SeriesRequest series{.from_step = *from_step};
  if (*max_points) series.max_points = static_cast<size_t>(**max_points);
  std::optional<std::string_view> x = query.get("x");
  if (x && *x == "time") {
    series.axis = SeriesAxis::kTime;
  } else if (x && *x != "step") {
    return invalid_argument("query parameter 'x' must be 'step' or 'time', not '" +
                            std::string(*x) + "'");
  }
  std::optional<std::string_view> layout = query.get("layout");
  if (layout && *layout != "points" && *layout != "columns") {
    return invalid_argument("query parameter 'layout' must be 'points' or 'columns', not '" +
                            std::string(*layout) + "'");
  }
  series.columns = layout == "columns";
  return series;
}

// The series as `series` asks for it (whole, or downsampled; "points" or the three columns),
// appended to `out` as the members of an object.
void append_series(std::string& out, const std::vector<store::MetricPoint>& points,
                   const SeriesRequest& series) {
  std::vector<store::MetricPoint> downsampled;
  std::span<const store::MetricPoint> shown = points;
  if (series.max_points) {
    downsampled = lttb_downsample(points, *series.max_points, series.axis);
    shown = downsampled;
  }
  if (series.columns) return append_point_columns_json(out, shown);
  out += "\"points\":";
  append_points_json(out, shown);
}

// "1,2,3" -> the ids, in order: each a positive id, no repeats, 1 to the limit of them.
Result<std::vector<store::TrialId>> read_trial_list(std::string_view text) {
  std::vector<store::TrialId> ids;
  std::set<int64_t> seen;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    std::optional<int64_t> id = parse_positive_id(item);
    if (!id) {
      return invalid_argument("query parameter 'trials': invalid trial id '" + std::string(item) +
                              "'");
    }
    if (!seen.insert(*id).second) {
      return invalid_argument("query parameter 'trials': trial " + std::to_string(*id) +
                              " is listed twice");
    }
    ids.push_back(store::TrialId{*id});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (ids.size() > kMaxTrialsPerMetricRequest) {
    return invalid_argument("query parameter 'trials': at most " +
                            std::to_string(kMaxTrialsPerMetricRequest) + " trials per request");
  }
  return ids;
}

}  // namespace

ApiResponse ApiEndpoints::get_trial(const ApiRequest& request) {
  Result<int64_t> id = path_id(request, "trial");
  if (!id) return error_response(id.status());
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<store::TrialView> trial = (*reader)->trial(store::TrialId{*id});
  if (!trial) return error_response(trial.status());
  Result<store::SweepOverview> sweep = (*reader)->sweep(trial->trial.sweep);
  if (!sweep) return error_response(sweep.status());
  ApiResponse response;
  response.body = trial_json(*trial);
  // Here only, not in lists: it reads the sweep file.
  std::optional<std::vector<std::string>> command =
      displayed_command(sweep->sweep, trial->trial.params_json);
  response.body["command"] = command ? Json(*command) : Json(nullptr);
  return response;
}

ApiResponse ApiEndpoints::stop_trial(const ApiRequest& request) {
  return id_action(request, "trial", "stop",
                   [this](int64_t id) { return control_.stop_trial(store::TrialId{id}); });
}

ApiResponse ApiEndpoints::metric_series(const ApiRequest& request) {
  Result<int64_t> id = path_id(request, "trial");
  if (!id) return error_response(id.status());
  const std::string& key = request.args.at(1);
  if (key.empty()) return error_response(400, "empty metric key");
  Result<QueryParams> query =
      QueryParams::read(request.query, {"from_step", "max_points", "x", "layout"});
  if (!query) return error_response(query.status());
  Result<SeriesRequest> series = read_series_request(*query);
  if (!series) return error_response(series.status());
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<std::vector<store::MetricPoint>> points =
      (*reader)->metric_series(store::TrialId{*id}, key, series->from_step);
  if (!points) return error_response(points.status());
  std::string body = "{\"trial\":" + std::to_string(*id) + ",\"key\":" + to_body(Json(key)) + ",";
  append_series(body, *points, *series);
  body += '}';
  ApiResponse response;
  response.serialized_body = std::move(body);
  return response;
}

ApiResponse ApiEndpoints::many_metric_series(const ApiRequest& request) {
  Result<QueryParams> query =
      QueryParams::read(request.query, {"trials", "key", "from_step", "max_points", "x", "layout"});
  if (!query) return error_response(query.status());
  std::optional<std::string_view> trials_text = query->get("trials");
  std::optional<std::string_view> key = query->get("key");
  if (!trials_text) return error_response(400, "missing query parameter 'trials'");
  if (!key || key->empty()) return error_response(400, "missing query parameter 'key'");
  Result<std::vector<store::TrialId>> trials = read_trial_list(*trials_text);
  if (!trials) return error_response(trials.status());
  Result<SeriesRequest> series_request = read_series_request(*query);
  if (!series_request) return error_response(series_request.status());

  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  std::string body = "{\"key\":" + to_body(Json(std::string(*key))) + ",\"series\":[";
  for (size_t i = 0; i < trials->size(); ++i) {
    const store::TrialId trial = (*trials)[i];
    Result<std::vector<store::MetricPoint>> points =
        (*reader)->metric_series(trial, *key, series_request->from_step);
    if (!points) return error_response(points.status());
    body += (i > 0 ? ",{\"trial\":" : "{\"trial\":") + std::to_string(trial.value) + ",";
    append_series(body, *points, *series_request);
    body += '}';
  }
  body += "]}";
  ApiResponse response;
  response.serialized_body = std::move(body);
  return response;
}

ApiResponse ApiEndpoints::list_agents(const ApiRequest& request) {
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  std::vector<LiveAgent> live = control_.agents();
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<std::vector<store::AgentRecord>> stored = (*reader)->agents();
  if (!stored) return error_response(stored.status());

  Json agents = Json::array();
  std::set<std::string> live_names;
  for (const LiveAgent& agent : live) {
    live_names.insert(agent.name);
    agents.push_back(live_agent_json(agent));
  }
  for (const store::AgentRecord& agent : *stored) {
    if (!live_names.contains(agent.name)) agents.push_back(stored_agent_json(agent));
  }
  ApiResponse response;
  response.body = Json{{"agents", std::move(agents)}};
  return response;
}

ApiResponse ApiEndpoints::list_events(const ApiRequest& request) {
  Result<QueryParams> query =
      QueryParams::read(request.query, {"after", "sweep", "trial", "limit"});
  if (!query) return error_response(query.status());
  Result<std::optional<int64_t>> after = query->integer("after", 0, INT64_MAX);
  if (!after) return error_response(after.status());
  Result<std::optional<int64_t>> sweep = query->integer("sweep", 1, INT64_MAX);
  if (!sweep) return error_response(sweep.status());
  Result<std::optional<int64_t>> trial = query->integer("trial", 1, INT64_MAX);
  if (!trial) return error_response(trial.status());
  Result<std::optional<int64_t>> limit = query->integer("limit", 1, kMaxPageSize);
  if (!limit) return error_response(limit.status());

  store::EventFilter filter{.after = store::EventId{after->value_or(0)},
                            .limit = limit->value_or(kDefaultPageSize)};
  if (*sweep) filter.sweep = store::SweepId{**sweep};
  if (*trial) filter.trial = store::TrialId{**trial};
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<std::vector<store::EventRecord>> events = (*reader)->events(filter);
  if (!events) return error_response(events.status());
  Json list = Json::array();
  for (const store::EventRecord& event : *events) list.push_back(event_json(event));
  const int64_t next = events->empty() ? filter.after.value : events->back().id.value;
  ApiResponse response;
  response.body = Json{{"events", std::move(list)}, {"next_after", next}};
  return response;
}

}  // namespace labsweep::orchestrator
