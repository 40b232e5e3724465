#include "sweeps/search/gaussian_process.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>

#include "sweeps/search/kernel_exp.h"
#include "sweeps/search/line_maximizer.h"

namespace labsweep::sweeps {
namespace {

const double kSqrt3 = std::sqrt(3.0);
// Past 40 the kernel is below 2e-16, under the rounding of the unit diagonal it is added to: 0
// then is as exact, and keeps exp's arguments in a small range.
constexpr double kCutoff = 40;
// Kernel entries go in chunks of this many, a multiple of any vector width.
constexpr Eigen::Index kChunk = 64;

// Pairwise squared distances between the rows of x, of the lower triangle (the only part the
// Cholesky factorisation reads) column by column, packed: kernel_lower then runs over one long
// array instead of short columns (two chunks for a column of 65). From differences rather than
// from norms, so that nearby training points keep their distance exactly: it decides how
// well-conditioned K is. Squared, because the square root vectorises with the kernel; padded with
// zeros to whole chunks.
Eigen::VectorXd pairwise_squared_distances(const Eigen::MatrixXd& x) {
  Eigen::Index n = x.rows();
  Eigen::Index count = n * (n - 1) / 2;
  Eigen::VectorXd d = Eigen::VectorXd::Zero((count + kChunk - 1) / kChunk * kChunk);
  Eigen::Index at = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j + 1; i < n; ++i) d(at++) = (x.row(i) - x.row(j)).squaredNorm();
  }
  return d;
}

// The kernel values at the distances whose squares are squared[0, kChunk), of which the first
// `count` are written to `out`. The arithmetic runs over fixed-size arrays, which GCC vectorises at
// -O2 (two doubles per SSE2 instruction): a suggestion evaluates ~180,000 kernel entries, and one
// scalar libm exp per entry would be most of its cost.
void matern15_chunk(const double* squared, double length_scale, Eigen::Index count, double* out) {
  // One division per chunk, not per entry: divpd costs several multiplies.
  double per_distance = kSqrt3 / length_scale;
  std::array<double, kChunk> scaled;
  for (Eigen::Index i = 0; i < kChunk; ++i) scaled[i] = std::sqrt(squared[i]) * per_distance;
  // Small length scales cut off whole chunks: their exps are not needed. (The padding past
  // `count` may count as kept: that only costs the exps.)
  std::int64_t kept_count = 0;
  for (Eigen::Index i = 0; i < kChunk; ++i) kept_count += scaled[i] <= kCutoff;
  if (kept_count == 0) {
    std::fill_n(out, count, 0.0);
    return;
  }
  std::array<double, kChunk> decay;
  for (Eigen::Index i = 0; i < kChunk; ++i) decay[i] = -std::min(scaled[i], kCutoff);
  kernel_exp(decay);
  for (Eigen::Index i = 0; i < kChunk; ++i) {
    // A multiply by 0 or 1 rather than a branch, which would keep the loop scalar.
    auto kept = static_cast<double>(scaled[i] <= kCutoff);
    scaled[i] = (1 + scaled[i]) * decay[i] * kept;
  }
  std::copy_n(scaled.begin(), count, out);
}

// sum[r] += (p[r] - q)^2 for a chunk. The pointers must not overlap: GCC then vectorises the
// loop without a run-time overlap check, which its -O2 cost model refuses.
void add_squared_differences(const double* __restrict p, double q, double* __restrict sum) {
  for (Eigen::Index r = 0; r < kChunk; ++r) sum[r] += (p[r] - q) * (p[r] - q);
}

// The lower triangle of the kernel matrix of n points from their packed squared distances (the
// upper is left 0).
Eigen::MatrixXd kernel_lower(const Eigen::VectorXd& squared, Eigen::Index n, double length_scale) {
  Eigen::VectorXd values(squared.size());
  for (Eigen::Index i = 0; i < squared.size(); i += kChunk) {
    matern15_chunk(&squared(i), length_scale, kChunk, &values(i));
  }
  Eigen::MatrixXd k = Eigen::MatrixXd::Zero(n, n);
  Eigen::Index at = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    k(j, j) = 1.0;
    k.col(j).tail(n - j - 1) = values.segment(at, n - j - 1);
    at += n - j - 1;
  }
  return k;
}

// The Cholesky factor of the symmetric positive-definite matrix whose lower triangle `a` holds,
// in place (the strict upper triangle is left as it was), or false when a pivot is not positive.
// Left-looking, one matrix-vector product per column: at the sizes modelled here (at most 195
// points) it takes about two thirds of the time of Eigen's blocked LLT, and the length-scale
// search runs about 18 of them per suggestion.
bool cholesky_in_place(Eigen::MatrixXd& a) {
  Eigen::Index n = a.rows();
  for (Eigen::Index j = 0; j < n; ++j) {
    if (j > 0) {
      a.col(j).tail(n - j).noalias() -= a.bottomLeftCorner(n - j, j) * a.row(j).head(j).transpose();
    }
    double pivot = a(j, j);
    if (!(pivot > 0)) return false;
    pivot = std::sqrt(pivot);
    a(j, j) = pivot;
    a.col(j).tail(n - j - 1) /= pivot;
  }
  return true;
}

// The factor of K + nugget I, its nugget grown tenfold while the factorisation fails.
std::optional<std::pair<Eigen::MatrixXd, double>> factorize(const Eigen::MatrixXd& k) {
  for (double nugget = GaussianProcess::kNugget; nugget <= 0.1; nugget *= 10) {
    Eigen::MatrixXd factor = k;
    factor.diagonal().array() += nugget;
    if (cholesky_in_place(factor)) return std::make_pair(std::move(factor), nugget);
  }
  return std::nullopt;
}

// K^-1 y through the factor L of K = L L'.
Eigen::VectorXd solve(const Eigen::MatrixXd& lower, const Eigen::VectorXd& y) {
  Eigen::VectorXd v = lower.triangularView<Eigen::Lower>().solve(y);
  lower.triangularView<Eigen::Lower>().transpose().solveInPlace(v);
  return v;
}

// The log-determinant comes from the factor's diagonal: log|K| = 2 sum(log L_ii).
double log_likelihood(const Eigen::MatrixXd& lower, double data_fit) {
  double half_log_det = lower.diagonal().array().log().sum();
  auto n = static_cast<double>(lower.rows());
  return -0.5 * data_fit - half_log_det - 0.5 * n * std::log(2 * std::numbers::pi);
}

}  // namespace

double matern15(double distance, double length_scale) {
  double scaled = distance * (kSqrt3 / length_scale);  // as matern15_chunk rounds it
  if (scaled > kCutoff) return 0;
  return (1 + scaled) * kernel_exp(-scaled);
}

Eigen::MatrixXd matern15_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                double length_scale) {
  // Coordinate by coordinate over a chunk of a's rows (a column of a is contiguous), so that the
  // distances vectorise like the kernel; the sums run over the coordinates in order from 0, as a
  // plain loop per pair would. No norms-and-products form: it would cancel for nearby points.
  Eigen::Index m = a.rows();
  Eigen::Index padded = (m + kChunk - 1) / kChunk * kChunk;
  Eigen::MatrixXd a_padded = Eigen::MatrixXd::Zero(padded, a.cols());
  a_padded.topRows(m) = a;
  Eigen::MatrixXd k(m, b.rows());
  for (Eigen::Index j = 0; j < b.rows(); ++j) {
    for (Eigen::Index i = 0; i < m; i += kChunk) {
      std::array<double, kChunk> squared{};
      for (Eigen::Index c = 0; c < a.cols(); ++c) {
        add_squared_differences(&a_padded(i, c), b(j, c), squared.data());
      }
      matern15_chunk(squared.data(), length_scale, std::min(kChunk, m - i), &k(i, j));
    }
  }
  return k;
}

GaussianProcess::GaussianProcess(Eigen::MatrixXd x, Eigen::MatrixXd factor, Eigen::VectorXd weights,
                                 double data_fit, double length_scale, double nugget)
    : x_(std::move(x)),
      factor_(std::move(factor)),
      weights_(std::move(weights)),
      data_fit_(data_fit),
      length_scale_(length_scale),
      nugget_(nugget) {}

std::optional<GaussianProcess> GaussianProcess::fit(const Eigen::MatrixXd& x,
                                                    const Eigen::VectorXd& y, double length_scale) {
  auto factored = factorize(kernel_lower(pairwise_squared_distances(x), x.rows(), length_scale));
  if (!factored) return std::nullopt;
  Eigen::VectorXd weights = solve(factored->first, y);
  double data_fit = y.dot(weights);
  return GaussianProcess(x, std::move(factored->first), std::move(weights), data_fit, length_scale,
                         factored->second);
}

double GaussianProcess::fit_length_scale(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  Eigen::VectorXd squared = pairwise_squared_distances(x);
  // The log likelihood as a function of log(l), the variable sklearn optimises in. A kernel
  // matrix that cannot be factored with the plain nugget scores -infinity, as in sklearn.
  Eigen::MatrixXd previous_kernel;
  double previous_value = 0;
  auto log_likelihood_at = [&](double log_l) -> double {
    Eigen::MatrixXd k = kernel_lower(squared, x.rows(), std::exp(log_l));
    // Small length scales cut every kernel entry off but those of coincident points, so several
    // grid points share one matrix: its likelihood is then known without a factorisation.
    if (k.rows() == previous_kernel.rows() && k == previous_kernel) return previous_value;
    Eigen::MatrixXd factor = k;
    factor.diagonal().array() += kNugget;
    double value =
        cholesky_in_place(factor) ? log_likelihood(factor, y.dot(solve(factor, y))) : -INFINITY;
    previous_kernel = std::move(k);
    previous_value = value;
    return value;
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
  Eigen::VectorXd v = factor_.triangularView<Eigen::Lower>().solve(k.transpose());
  return std::max(0.0, 1.0 - v.squaredNorm());
}

}  // namespace labsweep::sweeps
