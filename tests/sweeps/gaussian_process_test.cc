#include "sweeps/search/gaussian_process.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <random>
#include <utility>

#include "sweeps/search/expected_improvement.h"
#include "sweeps/search/line_maximizer.h"

namespace labsweep::sweeps {
namespace {

Eigen::MatrixXd column(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v(i++) = x;
  return v;
}

// The expected numbers below were computed once in plain Python (float64) by Gauss-Jordan
// inversion of K + 1e-7 I, independently of Eigen and of the Cholesky route the model takes:
// mean = k' K^-1 y, variance = 1 - k' K^-1 k, log likelihood from the determinant.
TEST(GaussianProcessTest, PosteriorOfThreePointsMatchesAnIndependentComputation) {
  Eigen::MatrixXd x = column({0.1, 0.4, 0.9});
  Eigen::VectorXd y = column({0.5, -1.0, 1.2});
  auto gp = GaussianProcess::fit(x, y, 0.3);
  ASSERT_TRUE(gp);
  EXPECT_EQ(gp->nugget(), 1e-7);
  Eigen::MatrixXd k = gp->cross_kernel(column({0.25, 0.7, 0.4}));
  Eigen::VectorXd mean = gp->mean(k);
  EXPECT_NEAR(mean(0), -0.31525512232160957, 1e-12);
  EXPECT_NEAR(mean(1), 0.28157756238816933, 1e-12);
  EXPECT_NEAR(mean(2), -0.9999997993643723, 1e-12);
  EXPECT_NEAR(gp->variance(k.row(0)), 0.16827207907361807, 1e-12);
  EXPECT_NEAR(gp->variance(k.row(1)), 0.41488939258080015, 1e-12);
  EXPECT_NEAR(gp->variance(k.row(2)), 9.999998618059891e-08, 1e-12);  // at a training point
  EXPECT_NEAR(gp->log_marginal_likelihood(), -4.881957350656043, 1e-10);
}

// The model's own Cholesky factorisation against Eigen's LLT at sizes where every column takes
// the matrix-vector path (60 and 150 points in 4 dimensions, two of them coincident; 150 spans
// several of the kernel's chunks of 64 entries, the last one partial, with a length scale that
// keeps K as well-conditioned as at 60 points).
TEST(GaussianProcessTest, LargerModelMatchesEigensFactorisation) {
  for (auto [n, length_scale] : {std::pair<Eigen::Index, double>{60, 0.4}, {150, 0.15}}) {
    SCOPED_TRACE(n);
    std::srand(7);
    Eigen::MatrixXd x = (Eigen::MatrixXd::Random(n, 4).array() + 1) / 2;
    x.row(n - 1) = x.row(3);
    Eigen::VectorXd y = Eigen::VectorXd::Random(n);
    auto gp = GaussianProcess::fit(x, y, length_scale);
    ASSERT_TRUE(gp);
    Eigen::MatrixXd k = matern15_matrix(x, x, length_scale);
    k.diagonal().array() += gp->nugget();
    Eigen::LLT<Eigen::MatrixXd> llt(k);
    ASSERT_EQ(llt.info(), Eigen::Success);
    double expected = -0.5 * y.dot(llt.solve(y)) - llt.matrixLLT().diagonal().array().log().sum() -
                      0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
    EXPECT_NEAR(gp->log_marginal_likelihood(), expected, 1e-9 * std::abs(expected));
    Eigen::MatrixXd points = (Eigen::MatrixXd::Random(5, 4).array() + 1) / 2;
    Eigen::MatrixXd cross = gp->cross_kernel(points);
    Eigen::VectorXd mean = gp->mean(cross);
    Eigen::VectorXd expected_mean = cross * llt.solve(y);
    for (Eigen::Index i = 0; i < 5; ++i) {
      EXPECT_NEAR(mean(i), expected_mean(i), 1e-9);
      Eigen::VectorXd v = llt.matrixL().solve(cross.row(i).transpose());
      EXPECT_NEAR(gp->variance(cross.row(i)), std::max(0.0, 1.0 - v.squaredNorm()), 1e-9);
    }
  }
}

// The chunked, vectorised cross kernel gives each entry the bits of the scalar kernel of the
// same distance (summed over the coordinates in order), across chunk boundaries and a partial
// last chunk; it is within rounding of (1 + s) exp(-s) with libm's exp, and exactly 0 past the
// cut-off at s = 40.
TEST(GaussianProcessTest, MaternMatrixMatchesTheScalarKernel) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0, 1);
  Eigen::MatrixXd a(150, 3);
  Eigen::MatrixXd b(4, 3);
  for (double& v : a.reshaped()) v = uniform(rng);
  for (double& v : b.reshaped()) v = uniform(rng);
  const double length_scale = 0.03;
  Eigen::MatrixXd k = matern15_matrix(a, b, length_scale);
  int cut = 0;
  for (Eigen::Index j = 0; j < b.rows(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      double squared = 0;
      for (Eigen::Index c = 0; c < 3; ++c) squared += (a(i, c) - b(j, c)) * (a(i, c) - b(j, c));
      double distance = std::sqrt(squared);
      ASSERT_EQ(k(i, j), matern15(distance, length_scale)) << i << ", " << j;
      double s = distance * (std::sqrt(3.0) / length_scale);  // rounded as the kernel rounds it
      if (s > 40) {
        EXPECT_EQ(k(i, j), 0.0);
        ++cut;
      } else {
        EXPECT_NEAR(k(i, j), (1 + s) * std::exp(-s), 5e-16 * (1 + s) * std::exp(-s));
      }
    }
  }
  EXPECT_GT(cut, 0);
  EXPECT_LT(cut, 600);
}

TEST(GaussianProcessTest, MaternKernel) {
  EXPECT_DOUBLE_EQ(matern15(0, 0.5), 1.0);
  double s = std::sqrt(3.0) * 0.2 / 0.5;
  EXPECT_DOUBLE_EQ(matern15(0.2, 0.5), (1 + s) * std::exp(-s));
  Eigen::MatrixXd a(1, 2), b(2, 2);
  a << 0.1, 0.2;
  b << 0.1, 0.2, 0.4, 0.6;
  Eigen::MatrixXd k = matern15_matrix(a, b, 0.5);
  EXPECT_NEAR(k(0, 0), 1.0, 1e-12);
  EXPECT_NEAR(k(0, 1), matern15(0.5, 0.5), 1e-12);  // a 3-4-5 triangle scaled by 0.1
}

// Five points of sin(3x), standardised. The optimum was found in plain Python by evaluating the
// log likelihood on 4001 points of log(l) over the bounds, then 4001 points within 0.01 of the
// best: log(l) = -1.7138, l = 0.1802, log likelihood -7.0032.
TEST(GaussianProcessTest, LengthScaleMaximisesTheLikelihood) {
  Eigen::VectorXd x = column({0.0, 0.2, 0.45, 0.7, 1.0});
  Eigen::VectorXd y = x.array().unaryExpr([](double v) { return std::sin(3 * v); });
  double mean = y.mean();
  double scale = std::sqrt((y.array() - mean).square().mean()) + 1e-6;
  y = (y.array() - mean) / scale;
  double l = GaussianProcess::fit_length_scale(x, y);
  EXPECT_NEAR(std::log(l), -1.713825894280564, 0.01);
  auto gp = GaussianProcess::fit(x, y, l);
  ASSERT_TRUE(gp);
  EXPECT_NEAR(gp->log_marginal_likelihood(), -7.003235111605989, 1e-4);
}

TEST(GaussianProcessTest, ConstantTargetsPushTheLengthScaleToItsUpperBound) {
  Eigen::MatrixXd x = column({0.1, 0.5, 0.8});
  double l = GaussianProcess::fit_length_scale(x, Eigen::VectorXd::Zero(3));
  EXPECT_GT(std::log(l), std::log(GaussianProcess::kMaxLengthScale) - 0.01);
}

TEST(GaussianProcessTest, DuplicatePointsFactorWithTheNugget) {
  Eigen::MatrixXd x = column({0.3, 0.3, 0.3, 0.6});
  auto gp = GaussianProcess::fit(x, column({1.0, 1.0, 1.0, -1.0}), 1e3);
  ASSERT_TRUE(gp);
  EXPECT_GE(gp->nugget(), 1e-7);
  EXPECT_TRUE(std::isfinite(gp->log_marginal_likelihood()));
  Eigen::MatrixXd k = gp->cross_kernel(column({0.45}));
  EXPECT_TRUE(std::isfinite(gp->mean(k)(0)));
  EXPECT_GE(gp->variance(k.row(0)), 0.0);
}

TEST(LineMaximizerTest, FindsTheQuadraticsPeak) {
  int calls = 0;
  auto f = [&](double x) {
    ++calls;
    return -(x - 1.234) * (x - 1.234);
  };
  LineMaximum m = maximize_on_interval(f, -10, 10, 9, 1e-6);
  EXPECT_NEAR(m.x, 1.234, 1e-5);
  EXPECT_NEAR(m.value, 0, 1e-9);
  EXPECT_EQ(m.evaluations, calls);
  EXPECT_LT(calls, 9 + 20);  // parabolic steps: a quadratic takes a few
}

TEST(LineMaximizerTest, TheGridFindsTheHigherOfTwoPeaks) {
  // Peaks at -5 (height 1) and 5.5 (height 2): local refinement from the wrong grid cell would
  // stop at -5.
  auto f = [](double x) {
    return std::exp(-(x + 5) * (x + 5)) + 2 * std::exp(-(x - 5.5) * (x - 5.5));
  };
  LineMaximum m = maximize_on_interval(f, -10, 10, 9, 1e-6);
  EXPECT_NEAR(m.x, 5.5, 1e-4);
  EXPECT_NEAR(m.value, 2, 1e-8);
}

TEST(LineMaximizerTest, APeakAtTheBoundAndUndefinedPoints) {
  auto rising = [](double x) { return x < -5 ? -INFINITY : x; };
  LineMaximum m = maximize_on_interval(rising, -10, 10, 9, 1e-3);
  EXPECT_DOUBLE_EQ(m.x, 10);
  auto nan_left = [](double x) { return x < 0 ? NAN : -(x - 2) * (x - 2); };
  EXPECT_NEAR(maximize_on_interval(nan_left, -10, 10, 9, 1e-6).x, 2, 1e-5);
}

// Values computed in plain Python from the formula with math.erfc.
TEST(ExpectedImprovementTest, FormulaValues) {
  EXPECT_NEAR(expected_improvement(0.0, 1.0, 0.0), 1 / std::sqrt(2 * std::numbers::pi), 1e-6);
  EXPECT_NEAR(expected_improvement(0.5, 0.2, -0.1), 7.643086330982667e-05, 1e-15);
  EXPECT_NEAR(expected_improvement(-1.0, 0.5, 0.0), 1.0042453513081988, 1e-14);
  EXPECT_EQ(expected_improvement(0.3, 0.0, 0.3), 0.0);           // certain and no better
  EXPECT_NEAR(expected_improvement(0.3, 0.0, 0.5), 0.2, 1e-15);  // certain gain
}

// The bound-and-prune search must pick what evaluating every candidate exactly picks.
TEST(ExpectedImprovementTest, PruningChoosesWhatExhaustiveSearchChooses) {
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    std::srand(seed);
    Eigen::MatrixXd x = (Eigen::MatrixXd::Random(30, 3).array() + 1) / 2;
    Eigen::VectorXd y = Eigen::VectorXd::Random(30);
    double l = seed % 2 ? 0.3 : 2.0;
    auto gp = GaussianProcess::fit(x, y, l);
    ASSERT_TRUE(gp);
    Eigen::MatrixXd candidates = (Eigen::MatrixXd::Random(500, 3).array() + 1) / 2;
    double best = y.minCoeff();
    Acquisition chosen = maximize_expected_improvement(*gp, candidates, best);
    Eigen::MatrixXd k = gp->cross_kernel(candidates);
    Eigen::VectorXd mean = gp->mean(k);
    Eigen::Index argmax = 0;
    double top = -INFINITY;
    for (Eigen::Index i = 0; i < candidates.rows(); ++i) {
      double ei = expected_improvement(mean(i), std::sqrt(gp->variance(k.row(i))), best);
      if (ei > top) top = ei, argmax = i;
    }
    EXPECT_EQ(chosen.index, static_cast<size_t>(argmax)) << "seed " << seed;
    EXPECT_DOUBLE_EQ(chosen.expected_improvement, top) << "seed " << seed;
    EXPECT_LE(chosen.exact_variances, 500);
  }
}

}  // namespace
}  // namespace labsweep::sweeps
