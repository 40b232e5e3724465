#include "sweeps/probability.h"

#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace labsweep::sweeps::probability {
namespace {

// Expected values come from closed forms evaluated here with <cmath>, or, where a literal is
// written out, from scipy.stats / 40-digit mpmath (each says which).

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = std::numbers::pi;

// A grid of quantiles reaching far into both tails.
const std::vector<double> kQuantiles = {1e-300, 1e-100, 1e-12, 1e-6,     1e-3,     0.01,
                                        0.1,    0.25,   0.4,   0.5,      0.6,      0.75,
                                        0.9,    0.99,   0.999, 1 - 1e-6, 1 - 1e-12};

const std::vector<double> kShapes = {0.1, 0.5, 1, 2, 5, 50};

// I_x(a, b) for whole a, b: the probability of at least a successes in a + b - 1 Bernoulli(x)
// trials.
double binomial_tail(double x, int a, int b) {
  int n = a + b - 1;
  double sum = 0;
  for (int j = a; j <= n; ++j) {
    double log_choose = std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0);
    sum += std::exp(log_choose) * std::pow(x, j) * std::pow(1 - x, n - j);
  }
  return sum;
}

// Whether x is within 4 ulps of the u-quantile of Beta(a, b), up to `slack` in the cdf: the cdf
// brackets u there. Close to 1 the doubles are too coarse for cdf(x) itself to come near u when b
// is small (Beta(0.1, 0.1) puts 5% of its mass within 1e-13 of 1).
::testing::AssertionResult IsBetaQuantile(double x, double u, double a, double b, double slack) {
  double below = x;
  double above = x;
  for (int k = 0; k < 4; ++k) {
    below = std::nextafter(below, 0.0);
    above = std::nextafter(above, 1.0);
  }
  double low = beta_cdf(below, a, b);
  double high = beta_cdf(above, a, b);
  if (low <= u + slack && high >= u - slack) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "Beta(" << a << ", " << b << ") quantile " << u
                                       << ": cdf is " << low << " .. " << high << " near " << x;
}

// ---- round_half_even ----------------------------------------------------------------------

TEST(RoundHalfEvenTest, HalvesGoToTheEvenNeighbour) {
  EXPECT_EQ(round_half_even(0.5), 0.0);
  EXPECT_FALSE(std::signbit(round_half_even(0.5)));
  EXPECT_EQ(round_half_even(1.5), 2.0);
  EXPECT_EQ(round_half_even(2.5), 2.0);
  EXPECT_EQ(round_half_even(3.5), 4.0);
  EXPECT_EQ(round_half_even(-1.5), -2.0);
  EXPECT_EQ(round_half_even(-2.5), -2.0);
  EXPECT_EQ(round_half_even(4503599627370495.5), 4503599627370496.0);  // 2^52 - 0.5
}

TEST(RoundHalfEvenTest, NegativeValuesRoundingToZeroKeepTheirSign) {
  EXPECT_EQ(round_half_even(-0.5), 0.0);
  EXPECT_TRUE(std::signbit(round_half_even(-0.5)));
  EXPECT_TRUE(std::signbit(round_half_even(-0.4)));
  EXPECT_TRUE(std::signbit(round_half_even(-0.0)));
}

TEST(RoundHalfEvenTest, NonHalvesRoundToNearest) {
  EXPECT_EQ(round_half_even(2.4999999999999996), 2.0);
  EXPECT_EQ(round_half_even(2.5000000000000004), 3.0);
  EXPECT_EQ(round_half_even(-2.6), -3.0);
  EXPECT_EQ(round_half_even(7.0), 7.0);
  EXPECT_EQ(round_half_even(1e300), 1e300);
  EXPECT_EQ(round_half_even(kInf), kInf);
  EXPECT_TRUE(std::isnan(round_half_even(kNan)));
}

TEST(RoundHalfEvenTest, IgnoresTheFloatingPointRoundingMode) {
  const int saved = std::fegetround();
  for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    ASSERT_EQ(std::fesetround(mode), 0);
    EXPECT_EQ(round_half_even(2.5), 2.0) << mode;
    EXPECT_EQ(round_half_even(3.5), 4.0) << mode;
    EXPECT_EQ(round_half_even(-2.5), -2.0) << mode;
    EXPECT_EQ(round_half_even(2.4), 2.0) << mode;
  }
  std::fesetround(saved);
}

// ---- uniform ------------------------------------------------------------------------------

TEST(UniformTest, MapsLinearlyAndClamps) {
  EXPECT_EQ(uniform_cdf(3, 2, 6), 0.25);
  EXPECT_EQ(uniform_cdf(1, 2, 6), 0.0);
  EXPECT_EQ(uniform_cdf(7, 2, 6), 1.0);
  EXPECT_EQ(uniform_ppf(0.25, 2, 6), 3.0);
  EXPECT_GE(uniform_ppf(0.0, 2, 6), 2.0);
  EXPECT_LE(uniform_ppf(1.0, 2, 6), 6.0);
  EXPECT_EQ(uniform_ppf(-1.0, 2, 6), uniform_ppf(0.0, 2, 6));
}

TEST(UniformTest, AnEmptyRangeIsAPointMass) {
  EXPECT_EQ(uniform_ppf(0.7, 4, 4), 4.0);
  EXPECT_EQ(uniform_cdf(3.9, 4, 4), 0.0);
  EXPECT_EQ(uniform_cdf(4, 4, 4), 1.0);
}

// ---- normal -------------------------------------------------------------------------------

TEST(NormalTest, KnownValues) {
  // scipy.stats.norm.ppf / .cdf.
  EXPECT_NEAR(normal_ppf(0.975, 0, 1), 1.959963984540054, 1e-15);
  EXPECT_EQ(normal_ppf(0.5, 0, 1), 0.0);
  EXPECT_NEAR(normal_ppf(1e-10, 0, 1), -6.361340902404056, 6.4e-15);
  EXPECT_NEAR(normal_cdf(1.96, 0, 1), 0.9750021048517795, 1e-16);
  EXPECT_EQ(normal_cdf(0, 0, 1), 0.5);
  // Deep in the tail, from mpmath at 40 digits.
  EXPECT_NEAR(normal_ppf(1e-300, 0, 1), -37.047096299361199, 37e-15);
}

TEST(NormalTest, LocationAndScale) {
  EXPECT_NEAR(normal_ppf(0.975, 2, 3), 2 + 3 * 1.959963984540054, 1e-14);
  EXPECT_DOUBLE_EQ(normal_cdf(2 + 3 * 1.96, 2, 3), normal_cdf(1.96, 0, 1));
}

TEST(NormalTest, CdfIsTheClosedForm) {
  for (double x : {-30.0, -8.0, -1.0, 0.3, 2.0, 9.0}) {
    EXPECT_DOUBLE_EQ(normal_cdf(x, 0, 1), 0.5 * std::erfc(-x / std::sqrt(2.0))) << x;
  }
}

TEST(NormalTest, PpfIsAntisymmetric) {
  // 1 - u is exact for these dyadic u, so any asymmetry is the algorithm's.
  for (double u : {0x1p-2, 0x1p-3, 0x7p-4, 0x1p-7, 0x1p-17, 0x3p-40}) {
    EXPECT_NEAR(normal_ppf(1 - u, 0, 1), -normal_ppf(u, 0, 1),
                4e-16 * std::abs(normal_ppf(u, 0, 1)))
        << u;
  }
}

TEST(NormalTest, CdfInvertsPpf) {
  for (double u : kQuantiles) {
    EXPECT_NEAR(normal_cdf(normal_ppf(u, 0, 1), 0, 1), u, 1e-12 * u) << u;
  }
  for (double u : {1e-12, 1e-6, 0.3, 0.5, 0.8, 1 - 1e-12}) {
    EXPECT_NEAR(normal_cdf(normal_ppf(u, -4, 0.25), -4, 0.25), u, 1e-12 * u) << u;
  }
}

TEST(NormalTest, PpfIsStrictlyIncreasing) {
  double previous = -kInf;
  for (int i = 1; i < 10000; ++i) {
    double x = normal_ppf(i / 10000.0, 0, 1);
    ASSERT_GT(x, previous) << i;
    previous = x;
  }
  EXPECT_LT(normal_ppf(1e-300, 0, 1), normal_ppf(1e-299, 0, 1));
  EXPECT_LT(normal_ppf(1 - 1e-15, 0, 1), normal_ppf(1 - 1e-16, 0, 1));
}

TEST(NormalTest, CdfIsNonDecreasing) {
  double previous = 0;
  for (int i = -4000; i <= 4000; ++i) {
    double p = normal_cdf(i / 100.0, 0, 1);
    ASSERT_GE(p, previous) << i;
    previous = p;
  }
}

TEST(NormalTest, QuantilesOutsideTheOpenIntervalAreClamped) {
  double lowest = normal_ppf(0.0, 0, 1);
  double highest = normal_ppf(1.0, 0, 1);
  EXPECT_TRUE(std::isfinite(lowest));
  EXPECT_TRUE(std::isfinite(highest));
  EXPECT_LT(lowest, -38.0);  // the smallest subnormal
  EXPECT_GT(highest, 8.0);   // the largest double below 1
  EXPECT_EQ(normal_ppf(-3.0, 0, 1), lowest);
  EXPECT_EQ(normal_ppf(7.0, 0, 1), highest);
  EXPECT_EQ(normal_ppf(kNan, 1, 2), 1.0);  // read as the median
}

TEST(NormalTest, ZeroSigmaIsAPointMass) {
  EXPECT_EQ(normal_ppf(0.3, 4, 0), 4.0);
  EXPECT_EQ(normal_ppf(1e-300, 4, 0), 4.0);
  EXPECT_EQ(normal_cdf(3.999, 4, 0), 0.0);
  EXPECT_EQ(normal_cdf(4, 4, 0), 1.0);
  EXPECT_EQ(normal_cdf(5, 4, 0), 1.0);
  // A negative sigma reads as 0.
  EXPECT_EQ(normal_ppf(0.3, 4, -1), 4.0);
  EXPECT_EQ(normal_cdf(3, 4, -1), 0.0);
}

TEST(NormalTest, NanParametersGiveNan) {
  EXPECT_TRUE(std::isnan(normal_ppf(0.3, kNan, 1)));
  EXPECT_TRUE(std::isnan(normal_ppf(0.3, 0, kNan)));
  EXPECT_TRUE(std::isnan(normal_cdf(kNan, 0, 1)));
  EXPECT_TRUE(std::isnan(normal_cdf(0.3, 0, kNan)));
}

// ---- lognormal ----------------------------------------------------------------------------

TEST(LognormalTest, IsExpOfNormal) {
  for (double u : kQuantiles) {
    EXPECT_EQ(lognormal_ppf(u, 1, 2), std::exp(normal_ppf(u, 1, 2))) << u;
  }
  // scipy.stats.lognorm(s=1).ppf(0.975) == exp(1.959963984540054).
  EXPECT_NEAR(lognormal_ppf(0.975, 0, 1), std::exp(1.959963984540054), 1e-14);
}

TEST(LognormalTest, CdfInvertsPpf) {
  for (double u : {1e-12, 1e-6, 0.1, 0.5, 0.9, 1 - 1e-12}) {
    EXPECT_NEAR(lognormal_cdf(lognormal_ppf(u, 0.5, 0.7), 0.5, 0.7), u, 1e-12 * u) << u;
  }
  EXPECT_DOUBLE_EQ(lognormal_cdf(std::exp(1.3), 1.3, 2), 0.5);
}

TEST(LognormalTest, NothingAtOrBelowZero) {
  EXPECT_EQ(lognormal_cdf(0, 0, 1), 0.0);
  EXPECT_EQ(lognormal_cdf(-1, 0, 1), 0.0);
  EXPECT_GE(lognormal_ppf(0.0, 0, 1), 0.0);
}

TEST(LognormalTest, ZeroSigmaIsAPointMassAtExpMu) {
  EXPECT_EQ(lognormal_ppf(0.3, 2, 0), std::exp(2.0));
  EXPECT_EQ(lognormal_cdf(std::exp(2.0), 2, 0), 1.0);
  EXPECT_EQ(lognormal_cdf(7.3, 2, 0), 0.0);
  EXPECT_EQ(lognormal_cdf(-1, 2, 0), 0.0);
}

// ---- beta cdf -----------------------------------------------------------------------------

TEST(BetaCdfTest, KnownValues) {
  EXPECT_DOUBLE_EQ(beta_cdf(0.5, 2, 3), 0.6875);  // 11/16
  EXPECT_NEAR(beta_cdf(0.3, 0.5, 0.5), 2 / kPi * std::asin(std::sqrt(0.3)), 1e-15);
  EXPECT_NEAR(beta_cdf(0.5, 7, 7), 0.5, 1e-15);
  EXPECT_NEAR(beta_cdf(0.5, 1e4, 1e4), 0.5, 1e-14);
}

TEST(BetaCdfTest, ArcsineLaw) {
  // asin is ill-conditioned near 1, so above 1/2 the closed form goes through 1 - x (exact).
  for (double x : {1e-12, 1e-6, 0.01, 0.2, 0.5, 0.7, 0.95, 1 - 1e-6}) {
    double expected =
        x <= 0.5 ? 2 / kPi * std::asin(std::sqrt(x)) : 1 - 2 / kPi * std::asin(std::sqrt(1 - x));
    EXPECT_NEAR(beta_cdf(x, 0.5, 0.5), expected, 1e-14 * expected) << x;
  }
}

TEST(BetaCdfTest, PowerLaws) {
  for (double x : {1e-8, 0.01, 0.3, 0.5, 0.9, 0.999}) {
    for (double s : {1e-3, 0.1, 0.5, 2.0, 5.0, 50.0}) {
      // The prefactor is exp(s log x + ...), whose rounding grows with |s log x| (230 here at
      // most); and a cdf near 0 that is computed as 1 - (its complement) keeps 1e-16 absolute.
      double lower = std::pow(x, s);  // Beta(s, 1)
      EXPECT_NEAR(beta_cdf(x, s, 1), lower, 1e-13 * lower) << x << " " << s;
      double upper = -std::expm1(s * std::log1p(-x));  // Beta(1, s): 1 - (1 - x)^s
      EXPECT_NEAR(beta_cdf(x, 1, s), upper, 1e-14 * upper + 1e-15) << x << " " << s;
    }
  }
}

TEST(BetaCdfTest, WholeShapesAreBinomialTails) {
  for (int a : {1, 2, 3, 7, 20}) {
    for (int b : {1, 2, 4, 9, 30}) {
      for (double x : {0.01, 0.1, 0.3, 0.5, 0.65, 0.9}) {
        double expected = binomial_tail(x, a, b);
        EXPECT_NEAR(beta_cdf(x, a, b), expected, 1e-13 * expected + 1e-15)
            << "a=" << a << " b=" << b << " x=" << x;
      }
    }
  }
}

TEST(BetaCdfTest, Reflection) {
  // 1 - x is exact for these x.
  for (double a : kShapes) {
    for (double b : kShapes) {
      for (double x : {0.125, 0.25, 0.5, 0.625, 0.9375}) {
        EXPECT_NEAR(beta_cdf(x, a, b) + beta_cdf(1 - x, b, a), 1.0, 1e-14)
            << "a=" << a << " b=" << b << " x=" << x;
      }
    }
  }
}

TEST(BetaCdfTest, IsNonDecreasingFromZeroToOne) {
  for (double a : {1e-3, 0.1, 1.0, 5.0, 1e4}) {
    for (double b : {1e-3, 0.5, 2.0, 1e4}) {
      double previous = 0;
      for (int i = 0; i <= 2000; ++i) {
        double p = beta_cdf(i / 2000.0, a, b);
        ASSERT_GE(p, previous) << "a=" << a << " b=" << b << " i=" << i;
        ASSERT_LE(p, 1.0);
        previous = p;
      }
      EXPECT_EQ(beta_cdf(0, a, b), 0.0);
      EXPECT_EQ(beta_cdf(1, a, b), 1.0);
      EXPECT_EQ(beta_cdf(-0.5, a, b), 0.0);
      EXPECT_EQ(beta_cdf(1.5, a, b), 1.0);
    }
  }
}

// ---- beta ppf -----------------------------------------------------------------------------

TEST(BetaPpfTest, ClosedForms) {
  for (double u : {1e-12, 1e-6, 0.01, 0.3, 0.5, 0.8, 0.999, 1 - 1e-9}) {
    double arcsine = std::pow(std::sin(kPi * u / 2), 2);
    EXPECT_NEAR(beta_ppf(u, 0.5, 0.5), arcsine, 1e-14 * arcsine) << u;
    EXPECT_NEAR(beta_ppf(u, 1, 1), u, 4e-15 * u) << u;
    for (double s : {0.1, 0.5, 2.0, 5.0, 50.0}) {
      double lower = std::pow(u, 1 / s);  // Beta(s, 1)
      EXPECT_NEAR(beta_ppf(u, s, 1), lower, 1e-13 * lower + 1e-15) << u << " " << s;
      double upper = -std::expm1(std::log1p(-u) / s);  // Beta(1, s)
      EXPECT_NEAR(beta_ppf(u, 1, s), upper, 1e-13 * upper + 1e-15) << u << " " << s;
    }
  }
}

TEST(BetaPpfTest, InvertsTheCdf) {
  for (double a : kShapes) {
    for (double b : kShapes) {
      for (double u : kQuantiles) {
        double x = beta_ppf(u, a, b);
        ASSERT_GE(x, 0.0);
        ASSERT_LE(x, 1.0);
        if (x < 1e-300) continue;  // the quantile underflows; the cdf cannot see u there
        double slack = 1e-12 * std::min(u, 1 - u) + 2 * std::numeric_limits<double>::epsilon();
        EXPECT_TRUE(IsBetaQuantile(x, u, a, b, slack));
      }
    }
  }
}

TEST(BetaPpfTest, InvertsTheCdfAtExtremeShapes) {
  for (double a : {1e-3, 0.02, 1e3, 1e4}) {
    for (double b : {1e-3, 0.5, 30.0, 1e4}) {
      for (double u : {1e-12, 0.001, 0.3, 0.5, 0.7, 0.999, 1 - 1e-12}) {
        double x = beta_ppf(u, a, b);
        ASSERT_GE(x, 0.0);
        ASSERT_LE(x, 1.0);
        if (x < 1e-300 || x == 1) continue;  // the quantile is past what a double can hold
        double slack = 1e-11 * std::min(u, 1 - u) + 1e-15;
        EXPECT_TRUE(IsBetaQuantile(x, u, a, b, slack));
      }
    }
  }
}

TEST(BetaPpfTest, TinyShapesReachDeepQuantiles) {
  // Beta(1e-3, 1e-3) keeps half its mass within 1e-200 of each end.
  double x = beta_ppf(0.3, 1e-3, 1e-3);
  EXPECT_GT(x, 0.0);
  EXPECT_LT(x, 1e-200);
  EXPECT_NEAR(beta_cdf(x, 1e-3, 1e-3), 0.3, 1e-13);
  EXPECT_NEAR(beta_ppf(0.5, 1e-3, 1e-3), 0.5, 1e-12);  // the density there is only 0.002
  EXPECT_EQ(beta_ppf(0.9, 1e-3, 1e-3), 1.0);           // 1 - x is below an ulp of 1
}

TEST(BetaPpfTest, LargeShapesConcentrateAtTheMean) {
  EXPECT_NEAR(beta_ppf(0.5, 1e4, 1e4), 0.5, 1e-15);
  // Beta(a, b) tends to Normal(mean, sd): within a small fraction of sd at a = b = 1e4.
  double sd = std::sqrt(0.25 / 20001);
  EXPECT_NEAR(beta_ppf(0.975, 1e4, 1e4), 0.5 + 1.959963984540054 * sd, 1e-3 * sd);
  // Past min(a, b) = 1e9 the normal approximation is used outright.
  double huge_sd = std::sqrt(0.25 / (2e10 + 1));
  EXPECT_NEAR(beta_ppf(0.975, 1e10, 1e10), 0.5 + 1.959963984540054 * huge_sd, 1e-12);
  // 0.5 + huge_sd is off by up to 1.6e-11 sd from rounding.
  EXPECT_NEAR(beta_cdf(0.5 + huge_sd, 1e10, 1e10), normal_cdf(1, 0, 1), 1e-11);
}

TEST(BetaPpfTest, IsNonDecreasing) {
  for (double a : {1e-3, 0.1, 1.0, 5.0, 1e4}) {
    for (double b : {1e-3, 0.5, 2.0, 1e4}) {
      double previous = 0;
      for (int i = 1; i < 1000; ++i) {
        double x = beta_ppf(i / 1000.0, a, b);
        ASSERT_GE(x, previous) << "a=" << a << " b=" << b << " i=" << i;
        previous = x;
      }
    }
  }
}

TEST(BetaPpfTest, QuantilesOutsideTheOpenIntervalAreClamped) {
  double lowest = beta_ppf(0.0, 2, 2);
  double highest = beta_ppf(1.0, 2, 2);
  EXPECT_GT(lowest, 0.0);
  EXPECT_LT(lowest, 1e-150);
  EXPECT_LT(highest, 1.0);
  EXPECT_GT(highest, 1 - 1e-7);
  EXPECT_EQ(beta_ppf(-1.0, 2, 2), lowest);
  EXPECT_EQ(beta_ppf(2.0, 2, 2), highest);
  EXPECT_NEAR(beta_ppf(kNan, 2, 2), 0.5, 1e-15);  // read as the median
}

// ---- beta degenerate shapes ---------------------------------------------------------------

TEST(BetaDegenerateTest, ZeroShapesArePointMasses) {
  EXPECT_EQ(beta_ppf(0.3, 0, 2), 0.0);
  EXPECT_EQ(beta_ppf(0.3, 2, 0), 1.0);
  EXPECT_EQ(beta_ppf(0.3, 0, 0), 0.5);
  EXPECT_EQ(beta_ppf(1e-300, 2, 0), 1.0);
  EXPECT_EQ(beta_cdf(-0.1, 0, 2), 0.0);
  EXPECT_EQ(beta_cdf(0, 0, 2), 1.0);
  EXPECT_EQ(beta_cdf(0.9, 2, 0), 0.0);
  EXPECT_EQ(beta_cdf(1, 2, 0), 1.0);
  EXPECT_EQ(beta_cdf(0.49, 0, 0), 0.0);
  EXPECT_EQ(beta_cdf(0.5, 0, 0), 1.0);
}

TEST(BetaDegenerateTest, NegativeShapesReadAsZero) {
  EXPECT_EQ(beta_ppf(0.3, -1, 2), 0.0);
  EXPECT_EQ(beta_ppf(0.3, 2, -1), 1.0);
  EXPECT_EQ(beta_ppf(0.3, -1, -1), 0.5);
  EXPECT_EQ(beta_cdf(0.3, -1, 2), 1.0);
}

TEST(BetaDegenerateTest, InfiniteShapesArePointMasses) {
  EXPECT_EQ(beta_ppf(0.3, kInf, 2), 1.0);
  EXPECT_EQ(beta_ppf(0.3, 2, kInf), 0.0);
  EXPECT_EQ(beta_ppf(0.3, kInf, kInf), 0.5);
  EXPECT_EQ(beta_cdf(0.3, 2, kInf), 1.0);
  EXPECT_EQ(beta_cdf(0.3, kInf, 2), 0.0);
}

TEST(BetaDegenerateTest, NanShapesGiveNan) {
  EXPECT_TRUE(std::isnan(beta_ppf(0.3, kNan, 2)));
  EXPECT_TRUE(std::isnan(beta_ppf(0.3, 2, kNan)));
  EXPECT_TRUE(std::isnan(beta_cdf(0.3, kNan, 2)));
  EXPECT_TRUE(std::isnan(beta_cdf(kNan, 2, 2)));
}

TEST(BetaDegenerateTest, AnyFiniteShapesGiveAFiniteQuantile) {
  const std::vector<double> shapes = {1e-300, 1e-10, 1e-3, 1.0, 1e8, 1e12, 1e300};
  for (double a : shapes) {
    for (double b : shapes) {
      for (double u : {0.0, 1e-300, 0.3, 0.5, 0.9, 1.0}) {
        double x = beta_ppf(u, a, b);
        EXPECT_TRUE(x >= 0 && x <= 1) << "a=" << a << " b=" << b << " u=" << u << " x=" << x;
        double p = beta_cdf(x, a, b);
        EXPECT_TRUE(p >= 0 && p <= 1) << "a=" << a << " b=" << b << " x=" << x << " p=" << p;
      }
    }
  }
}

}  // namespace
}  // namespace labsweep::sweeps::probability
