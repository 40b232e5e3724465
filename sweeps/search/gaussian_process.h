#pragma once

// Gaussian-process regression as W&B's bayes search uses it: scikit-learn's
// GaussianProcessRegressor with a Matern kernel (nu = 1.5) of one isotropic length scale, unit
// signal variance, zero prior mean and alpha = 1e-7 added to the diagonal. Targets are expected
// standardised by the caller. All linear algebra goes through the Cholesky factor of the kernel
// matrix; no inverse is ever formed.

#include <Eigen/Core>
#include <optional>

namespace labsweep::sweeps {

// The Matern 1.5 kernel of two points at distance r: (1 + sqrt(3) r / l) exp(-sqrt(3) r / l).
double matern15(double distance, double length_scale);

class GaussianProcess {
 public:
  static constexpr double kNugget = 1e-7;          // sklearn's alpha, as W&B sets it
  static constexpr double kMinLengthScale = 1e-5;  // sklearn's default bounds
  static constexpr double kMaxLengthScale = 1e5;

  // The model of targets y at the rows of x (points in [0, 1]^d) with this length scale; nullopt
  // when the kernel matrix stays indefinite even with the nugget grown a millionfold (duplicated
  // points, a huge length scale).
  static std::optional<GaussianProcess> fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                            double length_scale);

  // The length scale in [kMinLengthScale, kMaxLengthScale] with the greatest log marginal
  // likelihood of y, as sklearn's L-BFGS-B search finds it; see docs/sweep-file.md.
  static double fit_length_scale(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);

  // log p(y | x, l) = -y'K^-1y / 2 - log|K| / 2 - n log(2 pi) / 2.
  double log_marginal_likelihood() const;
  double length_scale() const { return length_scale_; }
  double nugget() const { return nugget_; }

  // The kernel between each row of `points` (m x d) and each training point: m x n.
  Eigen::MatrixXd cross_kernel(const Eigen::MatrixXd& points) const;

  // The posterior mean at the points whose cross-kernel rows are `k` (m x n).
  Eigen::VectorXd mean(const Eigen::MatrixXd& k) const { return k * weights_; }

  // The posterior variance at a point with cross-kernel row k (n): 1 - k'K^-1k, at least 0.
  double variance(const Eigen::Ref<const Eigen::RowVectorXd>& k) const;

 private:
  GaussianProcess(Eigen::MatrixXd x, Eigen::MatrixXd factor, Eigen::VectorXd weights,
                  double data_fit, double length_scale, double nugget);

  Eigen::MatrixXd x_;
  Eigen::MatrixXd factor_;   // K + nugget I = L L', in the lower triangle
  Eigen::VectorXd weights_;  // K^-1 y
  double data_fit_;          // y'K^-1y
  double length_scale_;
  double nugget_;
};

// The Matern 1.5 kernel between the rows of a (m x d) and b (n x d): m x n.
Eigen::MatrixXd matern15_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                double length_scale);

}  // namespace labsweep::sweeps
