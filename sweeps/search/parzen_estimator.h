#pragma once

// The univariate Parzen estimators of tpe search, as Optuna 3.1's _ParzenEstimator builds them
// with its default settings: a prior kernel of weight 1.0, the "magic clip" of bandwidths and no
// endpoint bandwidths. A numeric estimator is a mixture of normal kernels truncated to the
// parameter's bounds (integrated over each grid cell for a discrete parameter); a categorical one
// is a mixture of smoothed one-hot rows. Immutable once built, so safe to read from any thread.

#include <cstddef>
#include <span>
#include <vector>

namespace labsweep::sweeps {

// Where the kernels of one numeric parameter live: Optuna's Parzen bounds, in the space it models
// (the logarithm of the value for a log distribution).
struct ParzenSpace {
  double low = 0;
  double high = 1;
  double step = 0;  // a discrete parameter's grid spacing (low and high lie half a step outside
                    // its extreme values); 0 for a continuous one
};

class ParzenEstimator {
 public:
  // `sorted_mus`: the observations, ascending, within [low, high]; `weights`: each one's weight
  // (positive, any scale), in the same order. Precondition: space.low < space.high.
  ParzenEstimator(const ParzenSpace& space, std::span<const double> sorted_mus,
                  std::span<const double> weights);

  // The kernels in ascending order of their centres, the prior among them; weights sum to 1.
  const std::vector<double>& mus() const { return mus_; }
  const std::vector<double>& sigmas() const { return sigmas_; }
  const std::vector<double>& weights() const { return weights_; }
  size_t prior_index() const { return prior_index_; }

  // A draw from the mixture: `u_kernel` picks a kernel by weight and `u_value` is the quantile of
  // the draw within that kernel's truncated normal; both in (0, 1). Not snapped to the grid.
  double sample(double u_kernel, double u_value) const;

  // The log density at x (for a discrete space, the log probability of x's grid cell); x must lie
  // within the bounds, on the grid for a discrete space.
  double log_pdf(double x) const;

 private:
  void compute_sigmas();
  void prepare_evaluation();

  ParzenSpace space_;
  std::vector<double> mus_;
  std::vector<double> sigmas_;
  std::vector<double> weights_;
  std::vector<double> cumulative_;  // of weights_, for sample()
  size_t prior_index_ = 0;

  // Kernels as log_pdf evaluates them, equal (mu, sigma) merged, in bands of similar width so
  // that each band can leave out the kernels too far from x to change the sum (see log_pdf).
  struct Band {
    std::vector<double> mu;  // ascending
    std::vector<double> inv_sigma;
    // The weight over the truncation mass (and over sigma * sqrt(2 pi) when continuous).
    std::vector<double> coefficient;
    double max_sigma = 0;
    double bound = 0;  // the largest contribution a kernel of the band can make, times their count
  };
  double band_sum(const Band& band, double x, double reach) const;

  std::vector<Band> bands_;  // bands_[0] holds the prior alone and is always summed whole
};

class CategoricalParzenEstimator {
 public:
  // `observations`: choice indexes (< choices), with their `weights` (positive, any scale).
  CategoricalParzenEstimator(size_t choices, std::span<const size_t> observations,
                             std::span<const double> weights);

  // The kernels' weights, the observations' in order and the prior's last; they sum to 1.
  const std::vector<double>& weights() const { return weights_; }
  // The mixture's probability of each choice.
  const std::vector<double>& probabilities() const { return probabilities_; }

  // A draw: `u_kernel` picks a kernel by weight, `u_value` a choice from its row.
  size_t sample(double u_kernel, double u_value) const;
  double log_pdf(size_t choice) const;

 private:
  size_t choices_;
  std::vector<size_t> observations_;
  std::vector<double> weights_;
  std::vector<double> cumulative_;
  std::vector<double> probabilities_;
  double smoothing_ = 0;  // prior_weight / (n + 1), added to every cell of a row
};

// Optuna's mass of the standard normal between a and b, computed in whichever tail keeps it
// accurate. Precondition: a <= b.
double gauss_mass(double a, double b);

// The standard normal truncated to [a, b] at quantile u, for a <= 0 <= b.
double truncated_normal_ppf(double u, double a, double b);

}  // namespace labsweep::sweeps
