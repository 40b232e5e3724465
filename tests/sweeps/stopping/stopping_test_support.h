#pragma once

// Small builders shared by the stopping-rule tests.

#include <cstdint>
#include <string>
#include <utility>

#include "sweeps/labsweep_settings.h"
#include "sweeps/stopping/stopping_rule.h"
#include "sweeps/sweep_spec.h"
#include "sweeps/value.h"

namespace labsweep::testing {

inline sweeps::Metric metric(std::string name, sweeps::Goal goal = sweeps::Goal::kMinimize) {
  sweeps::Metric m;
  m.name = std::move(name);
  m.goal = goal;
  return m;
}

inline sweeps::StoppingRuleSpec rule_spec(std::string type, sweeps::Map settings = {},
                                          std::string metric_name = "") {
  sweeps::StoppingRuleSpec spec;
  spec.type = std::move(type);
  spec.metric = std::move(metric_name);
  spec.resource = "step";
  spec.settings = std::move(settings);
  return spec;
}

// Feeds one report and returns the verdict.
inline sweeps::StopVerdict feed(sweeps::StoppingRule& rule, int64_t trial, double value,
                                int64_t step = 0, std::string metric_name = "loss") {
  return rule.report({trial, std::move(metric_name), step, value});
}

}  // namespace labsweep::testing
