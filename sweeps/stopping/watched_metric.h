#pragma once

// The metric a stopping rule watches and the direction that counts as better. Rules compare
// values as "lower is better": a maximized metric's values are negated on the way in and back
// on the way out, so that reasons show the values as the trial reported them.

#include <string>

#include "sweeps/labsweep_settings.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

struct WatchedMetric {
  std::string name;
  bool maximize = false;

  double lower_is_better(double reported) const { return maximize ? -reported : reported; }
  double as_reported(double lower_is_better) const {
    return maximize ? -lower_is_better : lower_is_better;
  }
};

// A rule watches the sweep's metric, with its goal, unless it names another metric, which it
// minimises (the `labsweep.early_stopping` rules have no goal key).
inline WatchedMetric watched_metric(const StoppingRuleSpec& spec, const Metric& sweep_metric) {
  if (spec.metric.empty() || spec.metric == sweep_metric.name) {
    return {sweep_metric.name, sweep_metric.goal == Goal::kMaximize};
  }
  return {spec.metric, false};
}

}  // namespace labsweep::sweeps
