#include "sweeps/analysis/parameter_importance.h"

#include <algorithm>
#include <cmath>

#include "sweeps/analysis/parameter_feature.h"
#include "sweeps/analysis/rank_correlation.h"

namespace labsweep::sweeps::analysis {
namespace {

// The forest's inputs: one column per varying parameter, one row per usable trial.
struct Table {
  std::vector<const Parameter*> parameters;
  std::vector<bool> ordered;
  std::vector<std::vector<double>> columns;
  std::vector<double> objective;
};

Table tabulate(std::span<const Parameter> parameters, std::span<const TrialSample> trials) {
  Table table;
  std::vector<ParameterFeature> features;
  std::vector<size_t> positions;
  for (size_t j = 0; j < parameters.size(); ++j) {
    if (!varies(parameters[j])) continue;
    table.parameters.push_back(&parameters[j]);
    features.emplace_back(parameters[j]);
    table.ordered.push_back(features.back().ordered());
    positions.push_back(j);
  }
  table.columns.resize(features.size());
  for (const TrialSample& trial : trials) {
    if (!std::isfinite(trial.objective)) continue;
    table.objective.push_back(trial.objective);
    for (size_t f = 0; f < features.size(); ++f) {
      const size_t j = positions[f];
      table.columns[f].push_back(j < trial.values.size() ? features[f].encode(trial.values[j])
                                                         : std::nan(""));
    }
  }
  return table;
}

// Permutation importances as shares: a negative one (shuffling helped: noise) counts as none.
std::vector<double> shares(const std::vector<double>& importance) {
  std::vector<double> share(importance.size());
  double total = 0;
  for (double v : importance) total += std::max(v, 0.0);
  if (!(total > 0)) return share;
  for (size_t f = 0; f < importance.size(); ++f) share[f] = std::max(importance[f], 0.0) / total;
  return share;
}

}  // namespace

ImportanceReport parameter_importance(std::span<const Parameter> parameters,
                                      std::span<const TrialSample> trials,
                                      const ImportanceOptions& options) {
  Table table = tabulate(parameters, trials);
  ImportanceReport report{.trials_used = table.objective.size()};
  if (table.parameters.empty()) {
    report.reason = "the sweep has no parameter that takes more than one value";
    return report;
  }
  if (report.trials_used < options.min_trials) {
    report.reason = std::to_string(report.trials_used) +
                    " trials have a finite value of the metric; importance needs at least " +
                    std::to_string(options.min_trials);
    return report;
  }
  RandomForest forest = RandomForest::fit(table.columns, table.objective, options.forest);
  std::vector<double> share = shares(forest.permutation_importance());
  for (size_t f = 0; f < table.parameters.size(); ++f) {
    std::optional<double> correlation;
    if (table.ordered[f]) correlation = spearman_correlation(table.columns[f], table.objective);
    report.parameters.push_back({table.parameters[f]->name(), share[f], correlation});
  }
  std::sort(report.parameters.begin(), report.parameters.end(), [](const auto& a, const auto& b) {
    return a.importance != b.importance ? a.importance > b.importance : a.name < b.name;
  });
  report.explained = forest.oob_r2();
  return report;
}

}  // namespace labsweep::sweeps::analysis
