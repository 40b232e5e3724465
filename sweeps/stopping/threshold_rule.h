#pragma once

// The threshold rule (docs/early-stopping.md "threshold"): stop a running trial that reports
// NaN or an infinity (`stop_on_nonfinite`), or, after step `after_step`, a value worse than
// `bound`.

#include <memory>

#include "sweeps/labsweep_settings.h"
#include "sweeps/stopping/stopping_rule.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

// `spec` is a validated `threshold` entry of `labsweep.early_stopping`.
std::unique_ptr<StoppingRule> make_threshold_rule(const StoppingRuleSpec& spec,
                                                  const Metric& sweep_metric);

}  // namespace labsweep::sweeps
