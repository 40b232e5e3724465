#include "sweeps/stopping/median_rule.h"

#include <cmath>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sweeps/python_format.h"
#include "sweeps/stopping/ranked_values.h"
#include "sweeps/stopping/watched_metric.h"

namespace labsweep::sweeps {
namespace {

int64_t setting(const StoppingRuleSpec& spec, std::string_view key, int64_t fallback) {
  for (const auto& [name, value] : spec.settings) {
    if (name == key && value.is_int()) return value.as_int();
  }
  return fallback;
}

// "A trial's value at a step" is the finite value it reported at exactly that step, the first
// time it reported one there; a second report of the same step is neither counted nor judged,
// so that each trial counts once per step.
class MedianRule final : public StoppingRule {
 public:
  MedianRule(const StoppingRuleSpec& spec, const Metric& sweep_metric)
      : metric_(watched_metric(spec, sweep_metric)),
        warmup_steps_(setting(spec, "warmup_steps", 0)),
        min_trials_(setting(spec, "min_trials", 1)) {}

  std::vector<std::string> metrics() const override { return {metric_.name}; }

  StopVerdict report(const Report& report) override {
    if (report.metric != metric_.name || !std::isfinite(report.value)) return {};
    if (!seen_.insert({report.trial, report.step}).second) return {};
    double value = metric_.lower_is_better(report.value);
    RankedValues& at_step = steps_[report.step];
    // The step's values so far are the other trials' only: this one's joins them after.
    StopVerdict verdict;
    if (!ended_.contains(report.trial)) verdict = judge(report.step, value, at_step);
    at_step.insert(value);
    return verdict;
  }

  void trial_ended(int64_t trial) override { ended_.insert(trial); }

 private:
  StopVerdict judge(int64_t step, double value, RankedValues& others) const {
    if (step < warmup_steps_ || static_cast<int64_t>(others.size()) < min_trials_) return {};
    if (others.size() == 0) return {};
    double median = others.median();
    if (!(value > median)) return {};
    return {true, "step " + std::to_string(step) + ": " + metric_.name + " " +
                      python_float_repr(metric_.as_reported(value)) + " is worse than the median " +
                      python_float_repr(metric_.as_reported(median)) + " of the " +
                      std::to_string(others.size()) + " other trials at that step"};
  }

  WatchedMetric metric_;
  int64_t warmup_steps_;
  int64_t min_trials_;
  std::map<int64_t, RankedValues> steps_;       // per step, the values reported there
  std::set<std::pair<int64_t, int64_t>> seen_;  // (trial, step) pairs already counted
  std::unordered_set<int64_t> ended_;
};

}  // namespace

std::unique_ptr<StoppingRule> make_median_rule(const StoppingRuleSpec& spec,
                                               const Metric& sweep_metric) {
  return std::make_unique<MedianRule>(spec, sweep_metric);
}

}  // namespace labsweep::sweeps
