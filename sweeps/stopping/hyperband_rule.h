#pragma once

// W&B's hyperband early termination (reference §6, docs/early-stopping.md "hyperband"):
// iteration k is a trial's k-th finite report of the sweep's metric; at each band, a running
// trial is stopped when its value there is worse than the (floor(n/eta)+1)-th best of the n
// trials, running or not, that reached the band.

#include <memory>

#include "sweeps/early_terminate.h"
#include "sweeps/stopping/stopping_rule.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

std::unique_ptr<StoppingRule> make_hyperband_rule(const Hyperband& hyperband,
                                                  const Metric& sweep_metric);

}  // namespace labsweep::sweeps
