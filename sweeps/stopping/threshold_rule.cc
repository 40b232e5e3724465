#include "sweeps/stopping/threshold_rule.h"

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sweeps/python_format.h"
#include "sweeps/stopping/watched_metric.h"

namespace labsweep::sweeps {
namespace {

const Value* setting(const StoppingRuleSpec& spec, std::string_view key) {
  for (const auto& [name, value] : spec.settings) {
    if (name == key) return &value;
  }
  return nullptr;
}

class ThresholdRule final : public StoppingRule {
 public:
  ThresholdRule(const StoppingRuleSpec& spec, const Metric& sweep_metric)
      : metric_(watched_metric(spec, sweep_metric)) {
    const Value* nonfinite = setting(spec, "stop_on_nonfinite");
    stop_on_nonfinite_ = nonfinite == nullptr || nonfinite->as_bool();
    if (const Value* bound = setting(spec, "bound")) bound_ = bound->as_number();
    if (const Value* after = setting(spec, "after_step")) after_step_ = after->as_int();
  }

  std::vector<std::string> metrics() const override { return {metric_.name}; }

  StopVerdict report(const Report& report) override {
    if (report.metric != metric_.name || ended_.contains(report.trial)) return {};
    if (stop_on_nonfinite_ && !std::isfinite(report.value)) {
      return {true, "step " + std::to_string(report.step) + ": " + metric_.name + " is " +
                        python_float_repr(report.value)};
    }
    if (!bound_ || report.step <= after_step_) return {};
    // NaN is worse than nothing: it never crosses a bound, and stop_on_nonfinite handles it.
    if (!(metric_.lower_is_better(report.value) > metric_.lower_is_better(*bound_))) return {};
    return {true, "step " + std::to_string(report.step) + ": " + metric_.name + " " +
                      python_float_repr(report.value) + " is worse than the bound " +
                      python_float_repr(*bound_) + " (checked after step " +
                      std::to_string(after_step_) + ")"};
  }

  void trial_ended(int64_t trial) override { ended_.insert(trial); }

 private:
  WatchedMetric metric_;
  bool stop_on_nonfinite_ = true;
  std::optional<double> bound_;
  int64_t after_step_ = 0;
  std::unordered_set<int64_t> ended_;
};

}  // namespace

std::unique_ptr<StoppingRule> make_threshold_rule(const StoppingRuleSpec& spec,
                                                  const Metric& sweep_metric) {
  return std::make_unique<ThresholdRule>(spec, sweep_metric);
}

}  // namespace labsweep::sweeps
