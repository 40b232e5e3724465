#pragma once

// The median stopping rule (docs/early-stopping.md "median"): from `warmup_steps` on, once at
// least `min_trials` other trials reported a value at a step, a running trial whose value at
// that step is worse than the median of theirs is stopped.

#include <memory>

#include "sweeps/labsweep_settings.h"
#include "sweeps/stopping/stopping_rule.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

// `spec` is a validated `median` entry of `labsweep.early_stopping`.
std::unique_ptr<StoppingRule> make_median_rule(const StoppingRuleSpec& spec,
                                               const Metric& sweep_metric);

}  // namespace labsweep::sweeps
