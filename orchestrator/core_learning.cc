// Search methods that learn (bayes, tpe) hear of every trial of their sweep: the sweep metric as
// the trial reports it, and its outcome once it has ended for good. After a restart they hear
// of every stored trial again, so that a method's model depends only on the seed and the order
// in which results came.

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "orchestrator/core.h"
#include "orchestrator/trial_config.h"
#include "store/trial_status.h"

namespace labsweep::orchestrator {
namespace {

bool better(double a, double b, sweeps::Goal goal) {
  return goal == sweeps::Goal::kMaximize ? a > b : a < b;
}

sweeps::TrialOutcome outcome_of(store::TrialStatus status) {
  switch (status) {
    case store::TrialStatus::kCompleted:
    case store::TrialStatus::kStopped:
      return sweeps::TrialOutcome::kFinished;
    case store::TrialStatus::kFailed:
    case store::TrialStatus::kLost:
      return sweeps::TrialOutcome::kFailed;
    default:
      return sweeps::TrialOutcome::kRunning;
  }
}

sweeps::TrialResult result_of(const sweeps::Suggestion& suggestion,
                              const ReportedObjective& objective, store::TrialStatus status) {
  return sweeps::TrialResult{.index = suggestion.index,
                             .values = suggestion.values,
                             .outcome = outcome_of(status),
                             .best = objective.best,
                             .latest = objective.latest,
                             .last_step = objective.last_step,
                             .stopped_early = status == store::TrialStatus::kStopped};
}

// What the store's summary of the sweep metric says the trial reported.
ReportedObjective stored_objective(const store::TrialView& view, const sweeps::Metric& metric) {
  ReportedObjective objective;
  for (const store::MetricSummary& summary : view.summaries) {
    if (summary.key != metric.name || summary.count == 0) continue;
    const std::optional<store::MetricExtreme>& best =
        metric.goal == sweeps::Goal::kMaximize ? summary.max : summary.min;
    if (best && std::isfinite(best->value)) objective.best = best->value;
    if (std::isfinite(summary.last_value)) objective.latest = summary.last_value;
    objective.last_step = summary.last_step;
  }
  return objective;
}

}  // namespace

void ReportedObjective::add(int64_t step, double value, sweeps::Goal goal) {
  if (step >= last_step) {
    last_step = step;
    latest = std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
  }
  if (std::isfinite(value) && (!best || better(value, *best, goal))) best = value;
}

void Core::note_objective(const protocol::Metrics& metrics) {
  auto it = trials_.find(store::TrialId{metrics.trial_id});
  if (it == trials_.end()) return;
  LiveTrial& trial = it->second;
  const std::optional<sweeps::Metric>& metric = sweeps_.at(trial.sweep).spec->metric;
  if (!metric) return;
  for (const protocol::MetricPoint& point : metrics.points) {
    if (point.name == metric->name) trial.objective.add(point.step, point.value, metric->goal);
  }
}

void Core::teach_method(LiveSweep& sweep, const LiveTrial& trial, store::TrialStatus status) {
  tell_if_metric_missing(sweep, trial, status);
  if (sweep.method->learns())
    sweep.method->observe(result_of(trial.suggestion, trial.objective, status));
}

void Core::tell_if_metric_missing(LiveSweep& sweep, const LiveTrial& trial,
                                  store::TrialStatus status) {
  // A failed trial may have died before its first report; a completed one should have made it.
  if (!sweep.spec->metric || status != store::TrialStatus::kCompleted ||
      trial.objective.last_step >= 0 || sweep.told_metric_missing)
    return;
  sweep.told_metric_missing = true;
  const std::string& name = sweep.spec->metric->name;
  event("sweep_metric_missing",
        "sweep " + std::to_string(sweep.id.value) + ": trial " + std::to_string(trial.id.value) +
            " completed without reporting " + name +
            ", the sweep's metric; check the name the trial reports: until it does, no trial is " +
            "ranked or stopped early by it, and bayes or tpe search learns nothing",
        sweep.id, trial.id);
}

void Core::relearn(LiveSweep& sweep, const std::vector<store::TrialView>& trials) {
  const std::optional<sweeps::Metric>& metric = sweep.spec->metric;
  std::vector<const store::TrialView*> order;
  order.reserve(trials.size());
  for (const store::TrialView& view : trials) order.push_back(&view);
  // Ended trials in the order they ended, then the live ones: the order the method heard them.
  auto key = [](const store::TrialView* v) {
    bool live = !store::is_final(v->trial.status);
    return std::make_tuple(live, v->trial.finished_ms.value_or(0), v->trial.id.value);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto* a, const auto* b) { return key(a) < key(b); });
  const bool learns = sweep.method->learns();
  for (const store::TrialView* view : order) {
    const store::TrialRecord& t = view->trial;
    sweeps::Suggestion suggestion{.index = static_cast<uint64_t>(t.suggestion_index)};
    if (learns) {
      Result<std::vector<sweeps::Value>> values = trial_values(*sweep.spec, t.params_json);
      if (!values) {
        log("trial " + std::to_string(t.id.value) + ": " + values.status().message(),
            LogLevel::kWarning);
        continue;
      }
      suggestion.values = std::move(*values);
    }
    ReportedObjective objective = metric ? stored_objective(*view, *metric) : ReportedObjective{};
    if (auto live = trials_.find(t.id); live != trials_.end()) {
      live->second.suggestion = suggestion;
      live->second.objective = objective;
    }
    if (learns) sweep.method->observe(result_of(suggestion, objective, t.status));
  }
}

}  // namespace labsweep::orchestrator
