#include "sweeps/search/parzen_estimator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "sweeps/search/tpe_ranking.h"

namespace labsweep::sweeps {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(ParzenEstimatorTest, BandwidthsMagicClipAndPriorByHand) {
  // Observations 1, 2, 6 in [0, 10]; the prior (mu 5) sorts between 2 and 6. Gaps to the
  // neighbours, the bounds counting as neighbours: 1 -> max(1, 1) but an outermost kernel looks
  // inward only: 1; 2 -> max(1, 3) = 3; 5 -> prior; 6 -> inward only: 6 - 5 = 1. The magic clip
  // raises them to 10 / min(100, 1 + 4) = 2; the prior spans the range, 10.
  ParzenEstimator e({0, 10, 0}, std::vector<double>{1, 2, 6}, std::vector<double>{1, 1, 1});
  EXPECT_THAT(e.mus(), ElementsAre(1, 2, 5, 6));
  EXPECT_THAT(e.sigmas(), ElementsAre(2, 3, 10, 2));
  EXPECT_THAT(e.weights(), ElementsAre(0.25, 0.25, 0.25, 0.25));
  EXPECT_EQ(e.prior_index(), 2u);
}

TEST(ParzenEstimatorTest, LogDensityIsTheTruncatedMixture) {
  ParzenEstimator e({0, 10, 0}, std::vector<double>{1, 2, 6}, std::vector<double>{1, 1, 1});
  // By hand at x = 5: sum of 0.25 * N(5; mu, s) / (Phi((10 - mu) / s) - Phi(-mu / s)).
  auto pdf = [](double x, double mu, double s) {
    double z = (x - mu) / s;
    double mass = 0.5 * (std::erfc(-(10 - mu) / s / std::numbers::sqrt2) -
                         std::erfc(mu / s / std::numbers::sqrt2));
    return std::exp(-z * z / 2) / (s * std::sqrt(2 * std::numbers::pi)) / mass;
  };
  double by_hand = 0.25 * (pdf(5, 1, 2) + pdf(5, 2, 3) + pdf(5, 5, 10) + pdf(5, 6, 2));
  EXPECT_NEAR(e.log_pdf(5.0), std::log(by_hand), 1e-14);
  // Optuna's _ParzenEstimator.log_pdf for the same observations, with its truncated normal's
  // log density divided by sigma as Optuna does since 3.5 (issue 5109: 3.1 leaves that out).
  EXPECT_NEAR(e.log_pdf(1.5), -1.94805057, 1e-8);
  EXPECT_NEAR(e.log_pdf(5.0), -2.22548298, 1e-8);
  EXPECT_NEAR(e.log_pdf(9.0), -3.13280709, 1e-8);
}

TEST(ParzenEstimatorTest, DiscreteKernelsIntegrateOverCells) {
  // An int in 0..4: bounds half a step outside, [-0.5, 4.5]. Observations 0, 0, 3; the prior at
  // 2 sorts before 3. Raw widths: the first 0 looks inward only (0 - 0), the second max(0, 2),
  // the last inward only (3 - 2); the clip 5 / 5 = 1 raises 0 to 1.
  ParzenEstimator e({-0.5, 4.5, 1}, std::vector<double>{0, 0, 3}, std::vector<double>{1, 1, 1});
  EXPECT_THAT(e.mus(), ElementsAre(0, 0, 2, 3));
  EXPECT_THAT(e.sigmas(), ElementsAre(1, 2, 5, 1));
  double total = 0;
  for (int k = 0; k <= 4; ++k) total += std::exp(e.log_pdf(k));
  EXPECT_NEAR(total, 1.0, 1e-14);
  // Optuna 3.1's log_pdf at 0..4 for the same observations.
  const double optuna[] = {-1.30114386, -1.47372705, -1.65937241, -1.69440246, -2.08150516};
  for (int k = 0; k <= 4; ++k) EXPECT_NEAR(e.log_pdf(k), optuna[k], 1e-8) << k;
}

TEST(ParzenEstimatorTest, ContinuousDensityIntegratesToOne) {
  ParzenEstimator e({-1, 3, 0}, std::vector<double>{-0.9, 0.1, 0.15, 2.9},
                    std::vector<double>{0.2, 1, 0.5, 1});
  double total = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) total += std::exp(e.log_pdf(-1 + 4 * (i + 0.5) / n)) * 4 / n;
  EXPECT_NEAR(total, 1.0, 1e-6);
}

// The sum over every kernel, as Optuna writes it, to check that leaving out far kernels changes
// nothing: a kernel's truncated normal density at x, or its mass over x's grid cell.
double brute_force_log_pdf(const ParzenEstimator& e, const ParzenSpace& space, double x) {
  auto phi = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
  double sum = 0;
  for (size_t k = 0; k < e.mus().size(); ++k) {
    double mu = e.mus()[k];
    double s = e.sigmas()[k];
    double mass = phi((space.high - mu) / s) - phi((space.low - mu) / s);
    if (space.step > 0) {
      double lo = std::max(x - space.step / 2, space.low);
      double hi = std::min(x + space.step / 2, space.high);
      sum += e.weights()[k] * (phi((hi - mu) / s) - phi((lo - mu) / s)) / mass;
    } else {
      double z = (x - mu) / s;
      sum += e.weights()[k] * std::exp(-z * z / 2) / (s * std::sqrt(2 * std::numbers::pi)) / mass;
    }
  }
  return std::log(sum);
}

TEST(ParzenEstimatorTest, LeavingOutFarKernelsChangesNothing) {
  // 3,000 observations, dense in [0, 1] and sparse above, with the ramp of old weights.
  std::vector<double> mus;
  for (int i = 0; i < 3000; ++i) {
    double u = std::fmod(i * 0.7548776662466927, 1.0);
    mus.push_back(i % 10 == 0 ? 1 + 9 * u : u);
  }
  std::sort(mus.begin(), mus.end());
  std::vector<double> weights = tpe_weights(mus.size());
  ParzenSpace continuous{0, 10, 0};
  ParzenEstimator e(continuous, mus, weights);
  for (double x = 0.0; x <= 10.0; x += 0.0371) {
    EXPECT_NEAR(e.log_pdf(x), brute_force_log_pdf(e, continuous, x), 1e-13) << x;
  }
  // The same on a grid of 0..99.
  for (double& mu : mus) mu = std::round(mu * 9.9);
  ParzenSpace grid{-0.5, 99.5, 1};
  ParzenEstimator d(grid, mus, weights);
  for (int x = 0; x <= 99; ++x) {
    EXPECT_NEAR(d.log_pdf(x), brute_force_log_pdf(d, grid, x), 1e-13) << x;
  }
}

TEST(ParzenEstimatorTest, WithoutObservationsOnlyThePrior) {
  ParzenEstimator e({2, 4, 0}, {}, {});
  EXPECT_THAT(e.mus(), ElementsAre(3));
  EXPECT_THAT(e.sigmas(), ElementsAre(2));
  EXPECT_THAT(e.weights(), ElementsAre(1));
}

TEST(ParzenEstimatorTest, SamplesStayInBoundsAndFollowTheWeights) {
  // The kernel at 90 holds 9/10 of the weight; looking inward only, it is 90 - 50 = 40 wide.
  // Above 50 lie (Phi(0.25) - Phi(-1)) / (Phi(0.25) - Phi(-2.25)) = 0.7502 of it and half of
  // the prior: 0.9 * 0.7502 + 0.1 * 0.5 = 0.725.
  ParzenEstimator e({0, 100, 0}, std::vector<double>{90}, std::vector<double>{9});
  EXPECT_THAT(e.sigmas(), ElementsAre(100, 40));
  int near = 0;
  for (int i = 0; i < 1000; ++i) {
    double x = e.sample((i + 0.5) / 1000, std::fmod(i * 0.6180339887, 1.0) + 1e-9);
    ASSERT_GE(x, 0);
    ASSERT_LE(x, 100);
    if (x > 50) ++near;
  }
  EXPECT_NEAR(near, 725, 15);
}

TEST(ParzenEstimatorTest, GaussMassAndTruncatedQuantile) {
  EXPECT_NEAR(gauss_mass(-1, 1), 0.6826894921370859, 1e-15);
  EXPECT_NEAR(gauss_mass(1, 2), 0.1359051219832778, 1e-15);
  EXPECT_NEAR(gauss_mass(-2, -1), 0.1359051219832778, 1e-15);
  EXPECT_NEAR(gauss_mass(30, 31) / 4.9067139271484946e-198, 1.0, 1e-12);  // right tail
  EXPECT_DOUBLE_EQ(truncated_normal_ppf(0.5, -3, 3), 0.0);
  EXPECT_NEAR(truncated_normal_ppf(0.975, -40, 40), 1.959963984540054, 1e-12);
  EXPECT_NEAR(truncated_normal_ppf(0.5, 0, 40), 0.6744897501960817, 1e-12);
  // Far out in a tail the draw still lands between the bounds.
  double x = truncated_normal_ppf(1 - 1e-16, -1, 60);
  EXPECT_GE(x, -1);
  EXPECT_LE(x, 60);
  EXPECT_GT(x, 8);
}

TEST(CategoricalParzenEstimatorTest, SmoothedRowsByHand) {
  // Observations a, a, c of {a, b, c}: each row is 1/4 everywhere plus 1 at its choice, over
  // 1.75; the prior row is uniform; all four kernels weigh 1/4.
  // P(a) = (1.25 + 1.25 + 0.25) / 1.75 / 4 + 1/12 = 10/21, P(b) = 4/21, P(c) = 1/3.
  CategoricalParzenEstimator e(3, std::vector<size_t>{0, 0, 2}, std::vector<double>{1, 1, 1});
  EXPECT_THAT(e.probabilities(),
              ElementsAre(DoubleNear(10.0 / 21, 1e-15), DoubleNear(4.0 / 21, 1e-15),
                          DoubleNear(1.0 / 3, 1e-15)));
  EXPECT_NEAR(e.log_pdf(1), std::log(4.0 / 21), 1e-15);
  // A draw from the first kernel's row: a with probability 1.25 / 1.75.
  EXPECT_EQ(e.sample(0.1, 0.7), 0u);
  EXPECT_EQ(e.sample(0.1, 0.72), 1u);
  EXPECT_EQ(e.sample(0.1, 0.99), 2u);
  // The prior's row (the last quarter of the weight) is uniform.
  EXPECT_EQ(e.sample(0.9, 0.5), 1u);
}

TEST(TpeRankingTest, GammaIsATenthCappedAt25) {
  EXPECT_EQ(tpe_below_count(0), 0u);
  EXPECT_EQ(tpe_below_count(1), 1u);
  EXPECT_EQ(tpe_below_count(10), 1u);
  EXPECT_EQ(tpe_below_count(11), 2u);
  EXPECT_EQ(tpe_below_count(249), 25u);
  EXPECT_EQ(tpe_below_count(10000), 25u);
}

TEST(TpeRankingTest, DefaultWeightsRampUpToTheLatest25) {
  EXPECT_THAT(tpe_weights(3), ElementsAre(1, 1, 1));
  EXPECT_EQ(tpe_weights(25), std::vector<double>(25, 1.0));
  std::vector<double> w26 = tpe_weights(26);
  EXPECT_DOUBLE_EQ(w26[0], 1.0 / 26);
  EXPECT_EQ(w26[1], 1.0);
  // 28: numpy.linspace(1/28, 1, 3) = 1/28, (1 + 1/28) / 2, 1; then 25 ones.
  std::vector<double> w28 = tpe_weights(28);
  ASSERT_EQ(w28.size(), 28u);
  EXPECT_DOUBLE_EQ(w28[0], 1.0 / 28);
  EXPECT_DOUBLE_EQ(w28[1], (1 + 1.0 / 28) / 2);
  EXPECT_EQ(w28[2], 1.0);
  EXPECT_EQ(w28[27], 1.0);
}

TrialResult result(TrialOutcome outcome, std::optional<double> best, bool stopped = false,
                   int64_t last_step = -1, std::optional<double> latest = std::nullopt) {
  TrialResult r;
  r.outcome = outcome;
  r.best = best;
  r.latest = latest;
  r.last_step = last_step;
  r.stopped_early = stopped;
  return r;
}

TEST(TpeRankingTest, OrdersAsOptunaCompletePrunedRunning) {
  constexpr double inf = INFINITY;
  auto fin = TrialOutcome::kFinished;
  EXPECT_EQ(tpe_rank(result(fin, 0.3), Goal::kMinimize), (TpeRank{-inf, 0.3}));
  EXPECT_EQ(tpe_rank(result(fin, 0.3), Goal::kMaximize), (TpeRank{-inf, -0.3}));
  EXPECT_EQ(tpe_rank(result(fin, 0.9, true, 5, 0.7), Goal::kMinimize), (TpeRank{-5, 0.7}));
  EXPECT_EQ(tpe_rank(result(fin, 0.9, true, 5, std::nullopt), Goal::kMinimize), (TpeRank{-5, inf}));
  EXPECT_EQ(tpe_rank(result(fin, std::nullopt, true), Goal::kMinimize), (TpeRank{1, 0}));
  EXPECT_EQ(tpe_rank(result(TrialOutcome::kRunning, 0.1), Goal::kMinimize), (TpeRank{inf, inf}));
  EXPECT_EQ(tpe_rank(result(fin, std::nullopt), Goal::kMinimize), std::nullopt);
  EXPECT_EQ(tpe_rank(result(TrialOutcome::kFailed, 0.1), Goal::kMinimize), std::nullopt);
  // Any completed trial before any pruned one; a deeper pruned one before a shallower one.
  EXPECT_LT((TpeRank{-inf, 100}), (TpeRank{-9, -100}));
  EXPECT_LT((TpeRank{-9, 100}), (TpeRank{-3, -100}));
  EXPECT_LT((TpeRank{-0.0, 100}), (TpeRank{1, 0}));
  EXPECT_TRUE(is_running(TpeRank{inf, inf}));
  EXPECT_FALSE(is_running(TpeRank{1, 0}));
}

}  // namespace
}  // namespace labsweep::sweeps
