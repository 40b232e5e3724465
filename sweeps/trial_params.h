#pragma once

// A trial's parameter values as W&B hands them to a run: nested groups re-nested into maps
// (reference §2.5), keys in sorted order at every level.

#include <vector>

#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

// The run config {name: value, group: {child: value}} of `values`, which holds one value per
// entry of `parameters` (as read by read_parameters: sorted at every level).
Value nest_parameters(const std::vector<Parameter>& parameters, const std::vector<Value>& values);

}  // namespace labsweep::sweeps
