#pragma once

// How tpe search ranks the trials it has seen and splits them into the good ("below") group and
// the rest ("above"), as Optuna 3.1's TPESampler does for one objective with constant_liar.

#include <compare>
#include <cstddef>
#include <optional>
#include <vector>

#include "sweeps/search/search_method.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

// Optuna's sort key of an observation, compared lexicographically; smaller is better. `step` is
// -inf for a completed trial, -last_step for a pruned (stopped early) one, and +inf for one still
// running; `value` is the objective signed so that smaller is better.
struct TpeRank {
  double step = 0;
  double value = 0;
  friend auto operator<=>(const TpeRank&, const TpeRank&) = default;
};

// The key of a result, or nullopt when tpe ignores it: a failed trial, or a finished one that
// reported no value. A trial stopped early ranks by its value at its last step (+inf when that
// was not finite), after every completed trial, and one stopped before any report after those.
std::optional<TpeRank> tpe_rank(const TrialResult& result, Goal goal);

// Whether a key belongs to a trial still running (constant liar: ranked last, never counted).
bool is_running(const TpeRank& rank);

// gamma(n) = min(ceil(n / 10), 25): how many of n ranked trials form the below group.
size_t tpe_below_count(size_t n);

// Optuna's default_weights(n): the weights of n observations in chronological order, 1 for the
// latest 25 and a ramp from 1/n up to 1 for the older ones.
std::vector<double> tpe_weights(size_t n);

}  // namespace labsweep::sweeps
