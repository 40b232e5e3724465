#include "sweeps/stopping/median_rule.h"

#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sweeps/python_format.h"
#include "sweeps/stopping/ranked_values.h"
#include "sweeps/stopping/resource_pairing.h"
#include "sweeps/stopping/watched_metric.h"

namespace labsweep::sweeps {
namespace {

int64_t setting(const StoppingRuleSpec& spec, std::string_view key, int64_t fallback) {
  for (const auto& [name, value] : spec.settings) {
    if (name == key && value.is_int()) return value.as_int();
  }
  return fallback;
}

// "A trial's value at a step" is the finite value it reported at exactly that point of the
// resource axis (the step, or the named resource paired with it), the first time it reported one
// there; a second report of the same point is neither counted nor judged, so that each trial
// counts once per point.
class MedianRule final : public StoppingRule {
 public:
  MedianRule(const StoppingRuleSpec& spec, const Metric& sweep_metric)
      : metric_(watched_metric(spec, sweep_metric)),
        progress_(metric_.name, spec.resource),
        warmup_steps_(setting(spec, "warmup_steps", 0)),
        min_trials_(setting(spec, "min_trials", 1)) {}

  std::vector<std::string> metrics() const override { return progress_.metrics(); }

  StopVerdict report(const Report& report) override {
    std::optional<Progress> progress = progress_.pair(report);
    if (!progress || !counts(report.trial, *progress)) return {};
    double value = metric_.lower_is_better(progress->value);
    RankedValues& at_point = points_[progress->resource];
    // The point's values so far are the other trials' only: this one's joins them after. A
    // trial that ended is judged no more, but what it still reports counts for the others.
    StopVerdict verdict;
    if (!ended_.contains(report.trial)) verdict = judge(progress->resource, value, at_point);
    at_point.insert(value);
    return verdict;
  }

  void trial_ended(int64_t trial) override { ended_.insert(trial); }

 private:
  // Whether this is the trial's first finite value at a point the axis can place.
  bool counts(int64_t trial, const Progress& progress) {
    if (!std::isfinite(progress.value) || std::isnan(progress.resource)) return false;
    return seen_.insert({trial, progress.resource}).second;
  }

  StopVerdict judge(double at, double value, RankedValues& others) const {
    if (at < static_cast<double>(warmup_steps_) ||
        static_cast<int64_t>(others.size()) < min_trials_ || others.size() == 0)
      return {};
    double median = others.median();
    if (!(value > median)) return {};
    return {true, progress_.resource() + " " + resource_text(at) + ": " + metric_.name + " " +
                      python_float_repr(metric_.as_reported(value)) + " is worse than the median " +
                      python_float_repr(metric_.as_reported(median)) + " of the " +
                      std::to_string(others.size()) + " other trials at that " +
                      progress_.resource()};
  }

  WatchedMetric metric_;
  ResourcePairing progress_;
  int64_t warmup_steps_;
  int64_t min_trials_;
  std::map<double, RankedValues> points_;      // per point of the axis, the values reported there
  std::set<std::pair<int64_t, double>> seen_;  // (trial, point) pairs already counted
  std::unordered_set<int64_t> ended_;
};

}  // namespace

std::unique_ptr<StoppingRule> make_median_rule(const StoppingRuleSpec& spec,
                                               const Metric& sweep_metric) {
  return std::make_unique<MedianRule>(spec, sweep_metric);
}

}  // namespace labsweep::sweeps
