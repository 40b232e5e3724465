#include "sweeps/search/expected_improvement.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

namespace labsweep::sweeps {
namespace {

constexpr double kStddevEpsilon = 1e-6;  // W&B's STD_NUMERICAL_STABILITY_EPSILON

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// Conditioning on more observations never raises a Gaussian posterior variance, so the variance
// given the nearest training point alone, 1 - k^2 / (1 + nugget) with k its kernel value, bounds
// the variance given all of them from above; expected improvement grows with the stddev.
std::vector<double> variance_bounds(const Eigen::MatrixXd& k, double nugget) {
  std::vector<double> bounds(static_cast<size_t>(k.rows()));
  for (Eigen::Index i = 0; i < k.rows(); ++i) {
    double nearest = k.row(i).maxCoeff();
    bounds[static_cast<size_t>(i)] = std::max(0.0, 1.0 - nearest * nearest / (1.0 + nugget));
  }
  return bounds;
}

}  // namespace

double expected_improvement(double mean, double stddev, double best) {
  double gain = best - mean;
  double z = gain / (stddev + kStddevEpsilon);
  return gain * normal_cdf(z) + stddev * normal_pdf(z);
}

Acquisition maximize_expected_improvement(const GaussianProcess& gp,
                                          const Eigen::MatrixXd& candidates, double best) {
  Eigen::MatrixXd k = gp.cross_kernel(candidates);
  Eigen::VectorXd means = gp.mean(k);
  std::vector<double> variances = variance_bounds(k, gp.nugget());
  size_t m = variances.size();
  std::vector<double> bounds(m);
  for (size_t i = 0; i < m; ++i) {
    bounds[i] =
        expected_improvement(means(static_cast<Eigen::Index>(i)), std::sqrt(variances[i]), best);
  }
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return bounds[a] > bounds[b]; });
  Acquisition chosen;
  chosen.expected_improvement = -INFINITY;
  for (size_t i : order) {
    // A margin far above rounding error keeps the bound a bound in floating point.
    if (bounds[i] * (1 + 1e-9) + 1e-300 < chosen.expected_improvement) break;
    auto row = static_cast<Eigen::Index>(i);
    double stddev = std::sqrt(gp.variance(k.row(row)));
    double ei = expected_improvement(means(row), stddev, best);
    ++chosen.exact_variances;
    bool better =
        ei > chosen.expected_improvement || (ei == chosen.expected_improvement && i < chosen.index);
    if (better || chosen.exact_variances == 1) {
      chosen.index = i;
      chosen.mean = means(row);
      chosen.stddev = stddev;
      chosen.expected_improvement = ei;
    }
  }
  return chosen;
}

}  // namespace labsweep::sweeps
