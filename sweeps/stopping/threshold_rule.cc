#include "sweeps/stopping/threshold_rule.h"

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sweeps/python_format.h"
#include "sweeps/stopping/resource_pairing.h"
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
      : metric_(watched_metric(spec, sweep_metric)), progress_(metric_.name, spec.resource) {
    const Value* nonfinite = setting(spec, "stop_on_nonfinite");
    stop_on_nonfinite_ = nonfinite == nullptr || nonfinite->as_bool();
    if (const Value* bound = setting(spec, "bound")) bound_ = bound->as_number();
    if (const Value* after = setting(spec, "after_step")) after_step_ = after->as_int();
  }

  std::vector<std::string> metrics() const override { return progress_.metrics(); }

  StopVerdict report(const Report& report) override {
    if (ended_.contains(report.trial)) return {};
    // A non-finite value stops at once, wherever the trial is on the resource axis.
    if (stop_on_nonfinite_ && report.metric == metric_.name && !std::isfinite(report.value)) {
      return {true, "step " + std::to_string(report.step) + ": " + metric_.name + " is " +
                        python_float_repr(report.value)};
    }
    if (!bound_) return {};
    std::optional<Progress> progress = progress_.pair(report);
    // NaN is worse than nothing: it never crosses a bound, and stop_on_nonfinite handles it.
    if (!progress || !(progress->resource > static_cast<double>(after_step_)) ||
        !(metric_.lower_is_better(progress->value) > metric_.lower_is_better(*bound_)))
      return {};
    const std::string& axis = progress_.resource();
    return {true, axis + " " + resource_text(progress->resource) + ": " + metric_.name + " " +
                      python_float_repr(progress->value) + " is worse than the bound " +
                      python_float_repr(*bound_) + " (checked after " + axis + " " +
                      std::to_string(after_step_) + ")"};
  }

  void trial_ended(int64_t trial) override {
    ended_.insert(trial);
    progress_.forget(trial);
  }

 private:
  WatchedMetric metric_;
  ResourcePairing progress_;
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
