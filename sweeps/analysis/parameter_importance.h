#pragma once

// Which parameters of a sweep matter for its objective (docs/dashboard.md, "Analysis"): a
// random forest's out-of-bag permutation importance, as shares that sum to 1, and each
// parameter's Spearman correlation with the objective. Pure and deterministic given the seed.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sweeps/analysis/random_forest.h"
#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps::analysis {

struct ImportanceOptions {
  size_t min_trials = 5;  // fewer usable trials give an empty report
  ForestOptions forest{};
};

// One trial: its value of every parameter (in the order of the sweep's parameters) and its
// objective; a trial whose objective is not finite is left out.
struct TrialSample {
  std::vector<Value> values{};
  double objective = 0;
};

struct ParameterImportance {
  std::string name{};  // the dotted path
  // The parameter's share of the forest's permutation importance, in [0, 1]; the shares of a
  // report sum to 1, or are all 0 when no parameter helps predict the objective.
  double importance = 0;
  // Spearman's rank correlation of the parameter (on its scale) with the objective; nullopt
  // for categorical values that are not numbers, or where it is undefined (a constant).
  std::optional<double> correlation{};
};

struct ImportanceReport {
  size_t trials_used = 0;
  std::vector<ParameterImportance> parameters{};  // most important first, ties by name
  // The forest's out-of-bag R^2: how much of the objective's variance the parameters explain
  // at all. Near 0 or below, the shares say little. nullopt with `reason`.
  std::optional<double> explained{};
  std::optional<std::string> reason{};  // why `parameters` is empty
};

// The parameters that vary (constants are left out) ranked for `trials`.
ImportanceReport parameter_importance(std::span<const Parameter> parameters,
                                      std::span<const TrialSample> trials,
                                      const ImportanceOptions& options = {});

}  // namespace labsweep::sweeps::analysis
