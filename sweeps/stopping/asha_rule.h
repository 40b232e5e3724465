#pragma once

// ASHA, asynchronous successive halving in its stopping form (docs/early-stopping.md, "asha"):
// a trial that reaches a rung continues only while its value there is in the top 1/eta of the
// values recorded at that rung so far.

#include <memory>

#include "sweeps/labsweep_settings.h"
#include "sweeps/stopping/stopping_rule.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

// `spec` is an `asha` entry of `labsweep.early_stopping`, already validated; `sweep_metric` is
// the sweep's metric, used when the rule names none.
std::unique_ptr<StoppingRule> make_asha_rule(const StoppingRuleSpec& spec,
                                             const Metric& sweep_metric);

}  // namespace labsweep::sweeps
