#include "orchestrator/json_views.h"

#include <cmath>
#include <optional>

#include "store/agent_state.h"
#include "store/sweep_state.h"
#include "store/trial_status.h"

namespace labsweep::orchestrator {
namespace {

template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

template <typename Id>
Json optional_id_json(const std::optional<Id>& id) {
  return id ? Json(id->value) : Json(nullptr);
}

template <typename Id>
Json ids_json(const std::vector<Id>& ids) {
  Json out = Json::array();
  for (const Id& id : ids) out.push_back(id.value);
  return out;
}

Json extreme_json(const std::optional<store::MetricExtreme>& extreme) {
  if (!extreme) return nullptr;
  return Json{{"value", metric_value_json(extreme->value)}, {"step", extreme->step}};
}

Json counts_json(const store::TrialCounts& counts) {
  Json out = Json::object();
  for (store::TrialStatus status : store::kAllTrialStatuses) {
    out[std::string(store::to_string(status))] = counts.of(status);
  }
  out["total"] = counts.total();
  return out;
}

Json summaries_json(const std::vector<store::MetricSummary>& summaries) {
  Json out = Json::object();
  for (const store::MetricSummary& s : summaries) {
    out[s.key] = Json{{"count", s.count},
                      {"last_step", s.last_step},
                      {"last_value", metric_value_json(s.last_value)},
                      {"min", extreme_json(s.min)},
                      {"max", extreme_json(s.max)}};
  }
  return out;
}

// Stored params are JSON written by the orchestrator; should they not be strict JSON (a NaN
// written Python's way), they are passed on as text rather than breaking the response.
void add_params(Json& out, const std::string& params_json) {
  Json parsed = Json::parse(params_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    out["params"] = nullptr;
    out["params_text"] = params_json;
  } else {
    out["params"] = std::move(parsed);
  }
}

Json live_gpu_json(const LiveGpu& gpu) {
  return Json{{"index", gpu.index},
              {"name", gpu.name},
              {"memory_total_mb", gpu.memory_total_mb},
              {"memory_used_by_others_mb", gpu.memory_used_by_others_mb},
              {"used_by_others", gpu.used_by_others},
              {"memory_used_mb", optional_json(gpu.memory_used_mb)},
              {"utilization_percent", optional_json(gpu.utilization_percent)},
              {"free", gpu.free},
              {"trials", ids_json(gpu.trials)}};
}

}  // namespace

std::string to_body(const Json& json) {
  return json.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

Json metric_value_json(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

Json sweep_json(const store::SweepOverview& overview, const SweepObjective& objective,
                const std::optional<BestValue>& best) {
  const store::SweepRecord& s = overview.sweep;
  Json out{{"id", s.id.value},
           {"name", s.name},
           {"method", s.method},
           {"state", std::string(store::to_string(s.state))},
           {"seed", s.seed},
           {"created_ms", s.created_ms},
           {"finished_ms", optional_json(s.finished_ms)},
           {"counts", counts_json(overview.trials)}};
  out["metric"] = nullptr;
  if (objective.metric) {
    out["metric"] =
        Json{{"name", *objective.metric},
             {"goal", objective.goal == sweeps::Goal::kMaximize ? "maximize" : "minimize"}};
  }
  out["best"] = nullptr;
  if (best) {
    out["best"] = Json{{"value", metric_value_json(best->value)},
                       {"trial", best->trial.value},
                       {"step", best->step}};
  }
  out["planned_trials"] = optional_json(objective.planned_trials);
  return out;
}

Json trial_json(const store::TrialView& view, const TrialFields& fields) {
  const store::TrialRecord& t = view.trial;
  Json out = Json::object();
  // Each value is made only when its field is asked for: a list of 10,000 trials cut to a few
  // fields does not build the rest to throw it away.
  auto put = [&](const char* name, auto make) {
    if (fields.has(name)) out[name] = make();
  };
  put("id", [&] { return Json(t.id.value); });
  put("sweep", [&] { return Json(t.sweep.value); });
  put("suggestion_index", [&] { return Json(t.suggestion_index); });
  if (fields.has("params")) add_params(out, t.params_json);
  put("status", [&] { return Json(std::string(store::to_string(t.status))); });
  put("agent", [&] { return optional_id_json(t.agent); });
  put("gpus", [&] { return Json(t.gpus); });
  put("attempts", [&] { return Json(t.attempts); });
  put("exit_code", [&] { return optional_json(t.exit_code); });
  put("signal", [&] { return optional_json(t.signal); });
  put("stderr_tail", [&] { return Json(t.stderr_tail); });
  put("stop_reason", [&] { return Json(t.stop_reason); });
  put("created_ms", [&] { return Json(t.created_ms); });
  put("started_ms", [&] { return optional_json(t.started_ms); });
  put("finished_ms", [&] { return optional_json(t.finished_ms); });
  put("metrics", [&] { return summaries_json(view.summaries); });
  return out;
}

Json live_agent_json(const LiveAgent& agent) {
  Json gpus = Json::array();
  for (const LiveGpu& gpu : agent.gpus) gpus.push_back(live_gpu_json(gpu));
  Json running = Json::array();
  for (const LiveAgentTrial& t : agent.running) {
    running.push_back({{"trial", t.trial.value}, {"sweep", t.sweep.value}, {"gpus", t.gpus}});
  }
  return Json{{"id", agent.id.value},
              {"name", agent.name},
              {"host", agent.host},
              {"state", std::string(store::to_string(agent.state))},
              {"live", true},
              {"last_heartbeat_ms", agent.last_heartbeat_ms},
              {"slots_per_gpu", agent.slots_per_gpu},
              {"cpu_slots", agent.cpu_slots},
              {"slots_total", agent.slots_total},
              {"slots_used", agent.slots_used},
              {"running_trials", ids_json(agent.running_trials)},
              {"running", std::move(running)},
              {"gpus", std::move(gpus)}};
}

Json stored_agent_json(const store::AgentRecord& agent) {
  return Json{{"id", agent.id.value},
              {"name", agent.name},
              {"host", agent.host},
              {"state", std::string(store::to_string(agent.state))},
              {"live", false},
              {"last_heartbeat_ms", agent.last_heartbeat_ms},
              {"slots_per_gpu", 0},
              {"cpu_slots", 0},
              {"slots_total", 0},
              {"slots_used", 0},
              {"running_trials", Json::array()},
              {"running", Json::array()},
              {"gpus", Json::array()}};
}

Json event_json(const store::EventRecord& event) {
  return Json{{"id", event.id.value},
              {"time_ms", event.time_ms},
              {"sweep", optional_id_json(event.sweep)},
              {"trial", optional_id_json(event.trial)},
              {"agent", optional_id_json(event.agent)},
              {"kind", event.kind},
              {"message", event.message}};
}

Json diagnostic_json(std::string_view file_name, const sweeps::Diagnostic& d) {
  const bool placed = d.where.known();
  return Json{{"severity", d.severity == sweeps::Severity::kError ? "error" : "warning"},
              {"line", placed ? Json(d.where.line) : Json(nullptr)},
              {"column", placed ? Json(d.where.column) : Json(nullptr)},
              {"parameter", d.parameter},
              {"message", d.message},
              {"text", sweeps::format_diagnostic(file_name, d)}};
}

}  // namespace labsweep::orchestrator
