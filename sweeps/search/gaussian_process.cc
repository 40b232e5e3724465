#include "sweeps/search/gaussian_process.h"

#include <cmath>
#include <numbers>
#include <utility>

#include "sweeps/search/line_maximizer.h"

namespace labsweep::sweeps {
namespace {

const double kSqrt3 = std::sqrt(3.0);

// Pairwise distances between the rows of x, in the lower triangle (the only part the Cholesky
// factorisation reads), from differences rather than from norms, so that nearby training points
// keep their distance exactly: it decides how well-conditioned K is.
Eigen::MatrixXd pairwise_distances(const Eigen::MatrixXd& x) {
  Eigen::Index n = x.rows();
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j + 1; i < n; ++i) d(i, j) = (x.row(i) - x.row(j)).norm();
  }
  return d;
}

// The kernel matrix's lower triangle from the distances' (the upper is left 0).
Eigen::MatrixXd kernel_lower(const Eigen::MatrixXd& distances, double length_scale) {
  Eigen::Index n = distances.rows();
  Eigen::MatrixXd k = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    k(j, j) = 1.0;
    for (Eigen::Index i = j + 1; i < n; ++i) k(i, j) = matern15(distances(i, j), length_scale);
  }
  return k;
}

// The factor of K + nugget I, its nugget grown tenfold while the factorisation fails.
std::optional<std::pair<Eigen::LLT<Eigen::MatrixXd>, double>> factorize(const Eigen::MatrixXd& k) {
  for (double nugget = GaussianProcess::kNugget; nugget <= 0.1; nugget *= 10) {
    Eigen::MatrixXd jittered = k;
    jittered.diagonal().array() += nugget;
    Eigen::LLT<Eigen::MatrixXd> factor(jittered);
    if (factor.info() == Eigen::Success) return std::make_pair(std::move(factor), nugget);
  }
  return std::nullopt;
}

// The log-determinant comes from the factor's diagonal: log|K| = 2 sum(log L_ii).
double log_likelihood(const Eigen::LLT<Eigen::MatrixXd>& factor, double data_fit) {
  double half_log_det = factor.matrixLLT().diagonal().array().log().sum();
  auto n = static_cast<double>(factor.rows());
  return -0.5 * data_fit - half_log_det - 0.5 * n * std::log(2 * std::numbers::pi);
}

}  // namespace

double matern15(double distance, double length_scale) {
  double scaled = kSqrt3 * distance / length_scale;
  // Past 40 the kernel is below 2e-16, under the rounding of the unit diagonal it is added to:
  // 0 then is as exact, and saves the exp that dominates the cost of small length scales.
  if (scaled > 40) return 0;
  return (1 + scaled) * std::exp(-scaled);
}

Eigen::MatrixXd matern15_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                double length_scale) {
  // One plain pass: at this size (1000 x 200 x a few dimensions) it beats a matrix product of
  // norms followed by elementwise passes, and it has no cancellation.
  Eigen::MatrixXd at = a.transpose();  // points as contiguous columns
  Eigen::MatrixXd bt = b.transpose();
  Eigen::MatrixXd k(a.rows(), b.rows());
  for (Eigen::Index j = 0; j < b.rows(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      k(i, j) = matern15((at.col(i) - bt.col(j)).norm(), length_scale);
    }
  }
  return k;
}

GaussianProcess::GaussianProcess(Eigen::MatrixXd x, Eigen::LLT<Eigen::MatrixXd> factor,
                                 Eigen::VectorXd weights, double data_fit, double length_scale,
                                 double nugget)
    : x_(std::move(x)),
      factor_(std::move(factor)),
      weights_(std::move(weights)),
      data_fit_(data_fit),
      length_scale_(length_scale),
      nugget_(nugget) {}

std::optional<GaussianProcess> GaussianProcess::fit(const Eigen::MatrixXd& x,
                                                    const Eigen::VectorXd& y, double length_scale) {
  auto factored = factorize(kernel_lower(pairwise_distances(x), length_scale));
  if (!factored) return std::nullopt;
  Eigen::VectorXd weights = factored->first.solve(y);
  double data_fit = y.dot(weights);
  return GaussianProcess(x, std::move(factored->first), std::move(weights), data_fit, length_scale,
                         factored->second);
}

double GaussianProcess::fit_length_scale(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  Eigen::MatrixXd distances = pairwise_distances(x);
  // The log likelihood as a function of log(l), the variable sklearn optimises in. A kernel
  // matrix that cannot be factored with the plain nugget scores -infinity, as in sklearn.
  auto log_likelihood_at = [&](double log_l) -> double {
    Eigen::MatrixXd k = kernel_lower(distances, std::exp(log_l));
    k.diagonal().array() += kNugget;
    Eigen::LLT<Eigen::MatrixXd> factor(k);
    if (factor.info() != Eigen::Success) return -INFINITY;
    return log_likelihood(factor, y.dot(factor.solve(y)));
  };
  // Nine grid points cover the bounds a factor of 18 apart; Brent then needs a handful of
  // evaluations to pin log(l) to 0.01. See docs/sweep-file.md for why this replaces L-BFGS-B.
  LineMaximum best = maximize_on_interval(log_likelihood_at, std::log(kMinLengthScale),
                                          std::log(kMaxLengthScale), 9, 0.01);
  return std::exp(best.x);
}

double GaussianProcess::log_marginal_likelihood() const {
  return log_likelihood(factor_, data_fit_);
}

Eigen::MatrixXd GaussianProcess::cross_kernel(const Eigen::MatrixXd& points) const {
  return matern15_matrix(points, x_, length_scale_);
}

double GaussianProcess::variance(const Eigen::Ref<const Eigen::RowVectorXd>& k) const {
  Eigen::VectorXd v = factor_.matrixL().solve(k.transpose());
  return std::max(0.0, 1.0 - v.squaredNorm());
}

}  // namespace labsweep::sweeps
