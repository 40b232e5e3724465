#pragma once

// Drawing parameter values (reference §2.4): W&B's HyperParameter.ppf applied to a uniform
// quantile, with its output types (an int q gives ints; an omitted q, the float 1.0, floats).

#include <cstdint>
#include <optional>
#include <vector>

#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

// The value of `p` at quantile u, 0 < u < 1.
Value sample_at(const Parameter& p, double u);

// Where `v` lies among the values of `p`, as a quantile in [0, 1]: W&B's HyperParameter.cdf,
// which bayes and tpe search model in. For a discrete parameter it is the middle of the value's
// share of (0, 1), so that sample_at(p, quantile_of(p, v)) gives v back. nullopt when v cannot be
// a value of p: a value not among a categorical's, a non-number for a numeric distribution.
std::optional<double> quantile_of(const Parameter& p, const Value& v);

// The values of draw `index` of a sweep seeded with `seed`, one per parameter. A pure function
// of its arguments: the same seed and index give the same values on every machine.
std::vector<Value> sample_parameters(const std::vector<Parameter>& parameters, uint64_t seed,
                                     uint64_t index);

// A uniform quantile in (0, 1) from 64 random bits (52 of them used, never 0 or 1).
double unit_interval(uint64_t bits);

// SplitMix64's mixing function: a bijection that scatters nearby inputs (Steele et al., 2014).
uint64_t mix64(uint64_t x);

}  // namespace labsweep::sweeps
