#pragma once

// A regression forest for parameter importance (docs/dashboard.md, "Analysis"): bagged trees
// grown on quantile-binned features, and Breiman's out-of-bag permutation importance. Built
// for a few features and up to some 10^4 samples, fast enough to answer a request. Pure and
// deterministic given the seed.

#include <cstdint>
#include <span>
#include <vector>

namespace labsweep::sweeps::analysis {

struct ForestOptions {
  int trees = 32;
  int max_depth = 18;
  int min_leaf = 5;  // samples (with their bootstrap repeats) a leaf must hold
  int bins = 32;     // at most this many value bins per feature, plus one for missing values
  // Each tree trains on this many draws (with replacement) and is scored on at most this many
  // of the samples it did not draw: a bound on the cost of a tree whatever the sample count.
  size_t max_samples = 2048;
  uint64_t seed = 0x5eedf0e5;
};

class RandomForest {
 public:
  // Grows the forest on `columns[j][i]`, feature j of sample i (NaN where a sample has no
  // value), to predict `y[i]`, which must be finite. Every column has y.size() entries.
  static RandomForest fit(const std::vector<std::vector<double>>& columns,
                          std::span<const double> y, const ForestOptions& options);

  // The forest's prediction for one sample, one value per feature (NaN: missing).
  double predict(std::span<const double> sample) const;

  // 1 - (out-of-bag mean squared error) / variance of y: the share of y's variance the forest
  // explains on samples it did not train on; may be negative. 0 when y is constant.
  double oob_r2() const { return oob_r2_; }

  // Per feature: how much each tree's mean squared error on its out-of-bag samples grows
  // when that feature's values are shuffled among them, pooled over the trees. 0 or noise
  // around it for a feature y does not depend on.
  const std::vector<double>& permutation_importance() const { return importance_; }

 private:
  struct Node {
    int32_t feature = -1;  // -1: a leaf
    uint16_t split = 0;    // samples whose bin <= split go left
    int32_t left = 0;
    int32_t right = 0;
    double value = 0;  // a leaf's mean
  };
  using Tree = std::vector<Node>;
  class Builder;

  uint16_t bin_of(size_t feature, double x) const;

  std::vector<std::vector<double>> cuts_;  // per feature: upper edges of its value bins
  std::vector<Tree> trees_;
  std::vector<double> importance_;
  double oob_r2_ = 0;
};

}  // namespace labsweep::sweeps::analysis
