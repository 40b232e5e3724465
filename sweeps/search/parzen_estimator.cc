#include "sweeps/search/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sweeps/probability.h"

namespace labsweep::sweeps {
namespace {

// Optuna's defaults: the prior kernel's weight, and the magic clip's cap on how many kernels may
// share the range before bandwidths stop shrinking.
constexpr double kPriorWeight = 1.0;
constexpr double kMagicClipKernels = 100.0;
// log_pdf sorts kernels into bands whose widths grow by 2^(1/4); wider ones share the last.
constexpr size_t kWidthBands = 32;
constexpr double kBandsPerDoubling = 4;

// 0.5 * erfc(-x / sqrt 2): the standard normal cdf, accurate in the lower tail.
double phi(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// Where u falls among cumulative weights, as numpy's choice picks it (searchsorted right).
size_t pick(const std::vector<double>& cumulative, double u) {
  double scaled = u * cumulative.back();
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), scaled);
  return std::min(static_cast<size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

std::vector<double> cumulative_of(const std::vector<double>& weights) {
  std::vector<double> out(weights.size());
  double sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) out[i] = sum += weights[i];
  return out;
}

std::vector<double> normalized_with_prior(std::span<const double> weights) {
  std::vector<double> out(weights.begin(), weights.end());
  out.push_back(kPriorWeight);
  double sum = 0;
  for (double w : out) sum += w;
  for (double& w : out) w /= sum;
  return out;
}

}  // namespace

double gauss_mass(double a, double b) {
  constexpr double r = std::numbers::sqrt2;
  if (b <= 0) return 0.5 * (std::erfc(-b / r) - std::erfc(-a / r));
  if (a > 0) return 0.5 * (std::erfc(a / r) - std::erfc(b / r));
  return 1.0 - 0.5 * std::erfc(-a / r) - 0.5 * std::erfc(b / r);
}

double truncated_normal_ppf(double u, double a, double b) {
  double mass = gauss_mass(a, b);
  double p = phi(a) + u * mass;
  // Below the median the lower tail is accurate; above it, the same point from the upper tail.
  double x = a <= 0 && p <= 0.5 ? probability::normal_ppf(p, 0, 1)
                                : -probability::normal_ppf(phi(-b) + (1 - u) * mass, 0, 1);
  return std::clamp(x, a, b);
}

ParzenEstimator::ParzenEstimator(const ParzenSpace& space, std::span<const double> sorted_mus,
                                 std::span<const double> weights)
    : space_(space) {
  std::vector<double> normalized = normalized_with_prior(weights);
  // The prior sits among the observations in sorted order; after equal ones, as a stable sort of
  // Optuna's list (observations, then the prior) places it.
  double prior_mu = 0.5 * (space.low + space.high);
  prior_index_ = static_cast<size_t>(
      std::upper_bound(sorted_mus.begin(), sorted_mus.end(), prior_mu) - sorted_mus.begin());
  mus_.reserve(sorted_mus.size() + 1);
  weights_.reserve(sorted_mus.size() + 1);
  for (size_t i = 0; i <= sorted_mus.size(); ++i) {
    if (i == prior_index_) {
      mus_.push_back(prior_mu);
      weights_.push_back(normalized.back());
    }
    if (i < sorted_mus.size()) {
      mus_.push_back(sorted_mus[i]);
      weights_.push_back(normalized[i]);
    }
  }
  cumulative_ = cumulative_of(weights_);
  compute_sigmas();
  prepare_evaluation();
}

void ParzenEstimator::compute_sigmas() {
  // Each kernel is as wide as the larger gap to its neighbours (the bounds count as neighbours),
  // except that the outermost two look only inward; then clipped to [range / min(100, 1 + m),
  // range], and the prior spans the whole range.
  size_t m = mus_.size();
  double range = space_.high - space_.low;
  auto at = [&](size_t i) {  // mus_ with the bounds at either end: position 0 is low
    return i == 0 ? space_.low : i == m + 1 ? space_.high : mus_[i - 1];
  };
  sigmas_.resize(m);
  for (size_t i = 0; i < m; ++i) {
    sigmas_[i] = std::max(at(i + 1) - at(i), at(i + 2) - at(i + 1));
  }
  if (m >= 2) {
    sigmas_[0] = at(2) - at(1);
    sigmas_[m - 1] = at(m) - at(m - 1);
  }
  double min_sigma = range / std::min(kMagicClipKernels, 1.0 + static_cast<double>(m));
  for (double& s : sigmas_) s = std::min(std::max(s, min_sigma), range);
  sigmas_[prior_index_] = range;
}

void ParzenEstimator::prepare_evaluation() {
  const double root_two_pi = std::sqrt(2 * std::numbers::pi);
  bool discrete = space_.step > 0;
  double narrowest = INFINITY;
  for (size_t i = 0; i < sigmas_.size(); ++i) {
    if (i != prior_index_) narrowest = std::min(narrowest, sigmas_[i]);
  }
  bands_.assign(1 + kWidthBands, Band{});
  for (size_t i = 0; i < mus_.size(); ++i) {
    double mu = mus_[i];
    double s = sigmas_[i];
    // The truncation mass; 1 exactly (to double precision) when both bounds are 8.5 sigmas away.
    double a = (space_.low - mu) / s;
    double b = (space_.high - mu) / s;
    double mass = a < -8.5 && b > 8.5 ? 1.0 : gauss_mass(a, b);
    double coefficient = weights_[i] / (discrete ? mass : mass * s * root_two_pi);
    // Band k > 0 holds the kernels 2^((k-1)/4) to 2^(k/4) times as wide as the narrowest.
    double octaves = std::log2(s / narrowest) * kBandsPerDoubling;
    size_t k =
        i == prior_index_
            ? 0
            : 1 + static_cast<size_t>(std::min(static_cast<double>(kWidthBands - 1), octaves));
    Band& band = bands_[k];
    band.max_sigma = std::max(band.max_sigma, s);
    if (!band.mu.empty() && band.mu.back() == mu && band.inv_sigma.back() == 1 / s) {
      band.coefficient.back() += coefficient;
      continue;
    }
    band.mu.push_back(mu);
    band.inv_sigma.push_back(1 / s);
    band.coefficient.push_back(coefficient);
  }
  // A kernel contributes at most its coefficient (for a grid cell: times the cell's width over
  // sigma * sqrt(2 pi), the most mass a cell can hold).
  for (Band& band : bands_) {
    double largest = 0;
    for (size_t i = 0; i < band.mu.size(); ++i) {
      double scale = discrete ? space_.step * band.inv_sigma[i] / root_two_pi : 1.0;
      largest = std::max(largest, band.coefficient[i] * scale);
    }
    band.bound = largest * static_cast<double>(band.mu.size());
  }
}

double ParzenEstimator::sample(double u_kernel, double u_value) const {
  size_t k = pick(cumulative_, u_kernel);
  double mu = mus_[k];
  double s = sigmas_[k];
  double z = truncated_normal_ppf(u_value, (space_.low - mu) / s, (space_.high - mu) / s);
  return std::clamp(mu + s * z, space_.low, space_.high);
}

// The sum over a band's kernels centred within `reach` of x.
double ParzenEstimator::band_sum(const Band& band, double x, double reach) const {
  size_t from = static_cast<size_t>(std::lower_bound(band.mu.begin(), band.mu.end(), x - reach) -
                                    band.mu.begin());
  size_t to = static_cast<size_t>(std::upper_bound(band.mu.begin(), band.mu.end(), x + reach) -
                                  band.mu.begin());
  double sum = 0;
  if (space_.step > 0) {
    double lo = std::max(x - space_.step / 2, space_.low);
    double hi = std::min(x + space_.step / 2, space_.high);
    for (size_t i = from; i < to; ++i) {
      double inv = band.inv_sigma[i];
      sum += band.coefficient[i] * gauss_mass((lo - band.mu[i]) * inv, (hi - band.mu[i]) * inv);
    }
  } else {
    for (size_t i = from; i < to; ++i) {
      double z = (x - band.mu[i]) * band.inv_sigma[i];
      sum += band.coefficient[i] * std::exp(-0.5 * z * z);
    }
  }
  return sum;
}

double ParzenEstimator::log_pdf(double x) const {
  // Kernels far from x are left out only where that cannot change the result: a kernel of width
  // at most sigma whose centre is d away (beyond half a cell) contributes at most its bound times
  // exp(-d^2 / (2 sigma^2)), so each band's left-out kernels together stay below 2^-60 of the
  // prior's term alone, under the 2^-53 rounding of the sum itself.
  double sum = band_sum(bands_[0], x, INFINITY);
  double budget = 0x1.0p-60 * sum / static_cast<double>(bands_.size() - 1);
  double half_cell = space_.step / 2;
  for (size_t k = 1; k < bands_.size(); ++k) {
    const Band& band = bands_[k];
    if (band.bound <= budget) continue;
    double reach = half_cell + band.max_sigma * std::sqrt(2 * std::log(band.bound / budget));
    sum += band_sum(band, x, reach);
  }
  return std::log(sum);
}

CategoricalParzenEstimator::CategoricalParzenEstimator(size_t choices,
                                                       std::span<const size_t> observations,
                                                       std::span<const double> weights)
    : choices_(choices),
      observations_(observations.begin(), observations.end()),
      weights_(normalized_with_prior(weights)),
      cumulative_(cumulative_of(weights_)),
      probabilities_(choices, 0.0),
      smoothing_(kPriorWeight / static_cast<double>(observations.size() + 1)) {
  // Each observation's row is `smoothing_` everywhere plus 1 at its choice, normalized; the
  // prior's row is uniform.
  double c = static_cast<double>(choices_);
  double row_sum = c * smoothing_ + 1;
  double observed_weight = 0;
  for (size_t k = 0; k < observations_.size(); ++k) {
    observed_weight += weights_[k];
    probabilities_[observations_[k]] += weights_[k] / row_sum;
  }
  for (double& p : probabilities_)
    p += observed_weight * smoothing_ / row_sum + weights_.back() / c;
}

size_t CategoricalParzenEstimator::sample(double u_kernel, double u_value) const {
  size_t k = pick(cumulative_, u_kernel);
  double c = static_cast<double>(choices_);
  bool prior = k == observations_.size();
  double row_sum = prior ? c : c * smoothing_ + 1;
  // numpy's count of cumulative probabilities below u.
  double cumulative = 0;
  size_t below = 0;
  for (size_t i = 0; i < choices_; ++i) {
    double cell = prior ? 1.0 : smoothing_ + (observations_[k] == i ? 1.0 : 0.0);
    cumulative += cell / row_sum;
    if (cumulative < u_value) ++below;
  }
  return std::min(below, choices_ - 1);
}

double CategoricalParzenEstimator::log_pdf(size_t choice) const {
  return std::log(probabilities_[choice]);
}

}  // namespace labsweep::sweeps
