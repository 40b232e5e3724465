#pragma once

// The acquisition function of W&B's bayes search: expected improvement over the best value seen,
// for minimisation, in the standardised units the Gaussian process models.

#include <Eigen/Core>
#include <cstddef>

#include "sweeps/search/gaussian_process.h"

namespace labsweep::sweeps {

// E[max(0, best - Y)] for Y ~ Normal(mean, stddev^2), as W&B writes it: with z = (best - mean) /
// (stddev + 1e-6), (best - mean) Phi(z) + stddev phi(z). The 1e-6 keeps z finite where the model
// is certain (at a training point).
double expected_improvement(double mean, double stddev, double best);

struct Acquisition {
  size_t index = 0;  // the chosen row of the candidates
  double mean = 0;   // the model's prediction there
  double stddev = 0;
  double expected_improvement = 0;
  int exact_variances = 0;  // how many candidates needed their exact variance
};

// The candidate (a row of `candidates`) with the greatest expected improvement under `gp`, the
// first of equals as numpy's argmax takes it. Exact: a candidate's variance is computed only when
// an upper bound on its expected improvement could beat the best found so far.
Acquisition maximize_expected_improvement(const GaussianProcess& gp,
                                          const Eigen::MatrixXd& candidates, double best);

}  // namespace labsweep::sweeps
