#include "sweeps/stopping/rule_set.h"

#include <algorithm>
#include <utility>

#include "sweeps/stopping/asha_rule.h"
#include "sweeps/stopping/hyperband_rule.h"
#include "sweeps/stopping/median_rule.h"
#include "sweeps/stopping/threshold_rule.h"

namespace labsweep::sweeps {

RuleSet::RuleSet(std::vector<std::unique_ptr<StoppingRule>> rules) : rules_(std::move(rules)) {
  for (const auto& rule : rules_) metrics_.push_back(rule->metrics());
}

std::vector<std::string> RuleSet::metrics() const {
  std::vector<std::string> all;
  for (const auto& names : metrics_) all.insert(all.end(), names.begin(), names.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

// Every rule sees the report even after one says stop, so that each keeps the same state it
// would have had alone (a rule rebuilt from stored reports must reach the same decisions).
StopVerdict RuleSet::report(const Report& report) {
  StopVerdict first;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const auto& names = metrics_[i];
    if (std::find(names.begin(), names.end(), report.metric) == names.end()) continue;
    StopVerdict verdict = rules_[i]->report(report);
    if (verdict.stop && !first.stop) first = std::move(verdict);
  }
  return first;
}

void RuleSet::trial_ended(int64_t trial) {
  for (const auto& rule : rules_) rule->trial_ended(trial);
}

namespace {

std::unique_ptr<StoppingRule> make_labsweep_rule(const StoppingRuleSpec& spec,
                                                 const Metric& sweep_metric) {
  if (spec.type == "median") return make_median_rule(spec, sweep_metric);
  if (spec.type == "threshold") return make_threshold_rule(spec, sweep_metric);
  if (spec.type == "asha") return make_asha_rule(spec, sweep_metric);
  return nullptr;  // the settings reader admits no other type
}

}  // namespace

std::unique_ptr<StoppingRule> make_stopping_rules(const SweepSpec& spec) {
  // Without a sweep metric, only rules that name their own metric have something to watch.
  Metric sweep_metric = spec.metric.value_or(Metric{});
  std::vector<std::unique_ptr<StoppingRule>> rules;
  if (spec.early_terminate && !sweep_metric.name.empty()) {
    rules.push_back(make_hyperband_rule(*spec.early_terminate, sweep_metric));
  }
  for (const StoppingRuleSpec& rule : spec.labsweep.early_stopping) {
    if (rule.metric.empty() && sweep_metric.name.empty()) continue;
    if (auto made = make_labsweep_rule(rule, sweep_metric)) rules.push_back(std::move(made));
  }
  if (rules.empty()) return nullptr;
  return std::make_unique<RuleSet>(std::move(rules));
}

}  // namespace labsweep::sweeps
