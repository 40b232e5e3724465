#pragma once

// Reads the `parameters:` block of a sweep file (reference §2): names, the distribution of each
// body (given, or inferred in the reference's first-match order), every schema rule, and nested
// groups flattened in sorted order at every level, as W&B's engine walks them.

#include <vector>

#include "sweeps/diagnostic.h"
#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

// The parameters of `block` (a map), sorted by name at every level. Problems are added to
// `diagnostics`; a parameter with an error is left out of the result.
std::vector<Parameter> read_parameters(const Value& block, Diagnostics& diagnostics);

}  // namespace labsweep::sweeps
