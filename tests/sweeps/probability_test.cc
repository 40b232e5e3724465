#include "sweeps/probability.h"

#include <gtest/gtest.h>

#include <cmath>

namespace labsweep::sweeps::probability {
namespace {

TEST(ProbabilityTest, NormalKnownValues) {
  EXPECT_NEAR(normal_ppf(0.975, 0, 1), 1.959963984540054, 1e-14);
  EXPECT_EQ(normal_ppf(0.5, 0, 1), 0.0);
  EXPECT_NEAR(normal_ppf(1e-10, 0, 1), -6.361340902404056, 1e-12);
  EXPECT_NEAR(normal_cdf(1.96, 0, 1), 0.9750021048517795, 1e-15);
  EXPECT_NEAR(normal_ppf(0.975, 2, 3), 2 + 3 * 1.959963984540054, 1e-13);
}

TEST(ProbabilityTest, NormalRoundTrips) {
  for (double u : {1e-12, 1e-6, 0.01, 0.2, 0.5, 0.7, 0.99, 1 - 1e-9}) {
    EXPECT_NEAR(normal_cdf(normal_ppf(u, 0, 1), 0, 1), u, 1e-12 * std::max(1.0, u / 1e-3)) << u;
  }
}

TEST(ProbabilityTest, LognormalIsExpOfNormal) {
  EXPECT_DOUBLE_EQ(lognormal_ppf(0.3, 1, 2), std::exp(normal_ppf(0.3, 1, 2)));
  EXPECT_EQ(lognormal_cdf(-1, 0, 1), 0.0);
  EXPECT_NEAR(lognormal_cdf(lognormal_ppf(0.8, 0.5, 0.7), 0.5, 0.7), 0.8, 1e-12);
}

TEST(ProbabilityTest, BetaKnownValues) {
  EXPECT_NEAR(beta_cdf(0.5, 2, 3), 0.6875, 1e-14);
  EXPECT_NEAR(beta_cdf(0.3, 0.5, 0.5), 2 / M_PI * std::asin(std::sqrt(0.3)), 1e-13);
  EXPECT_NEAR(beta_cdf(0.25, 1, 1), 0.25, 1e-15);
}

TEST(ProbabilityTest, BetaPpfInvertsTheCdf) {
  for (double a : {0.1, 0.5, 1.0, 2.0, 5.0, 50.0}) {
    for (double b : {0.1, 0.5, 1.0, 2.0, 5.0, 50.0}) {
      for (double u : {0.001, 0.1, 0.5, 0.9, 0.999}) {
        double x = beta_ppf(u, a, b);
        ASSERT_GE(x, 0.0);
        ASSERT_LE(x, 1.0);
        // x is within 4 ulps of the true quantile: the cdf brackets u there (near 1, where
        // the density is huge, doubles are too coarse for the cdf itself to come closer).
        double below = x;
        double above = x;
        for (int k = 0; k < 4; ++k) {
          below = std::nextafter(below, 0.0);
          above = std::nextafter(above, 1.0);
        }
        EXPECT_LE(beta_cdf(below, a, b), u + 1e-12) << "a=" << a << " b=" << b << " u=" << u;
        EXPECT_GE(beta_cdf(above, a, b), u - 1e-12) << "a=" << a << " b=" << b << " u=" << u;
      }
    }
  }
}

TEST(ProbabilityTest, DegenerateCasesAreDefined) {
  EXPECT_EQ(normal_ppf(0.3, 4, 0), 4.0);
  EXPECT_EQ(beta_ppf(0.3, 0, 2), 0.0);
  EXPECT_EQ(beta_ppf(0.3, 2, 0), 1.0);
  EXPECT_EQ(beta_ppf(0.3, 0, 0), 0.5);
  EXPECT_TRUE(std::isfinite(normal_ppf(0.0, 0, 1)));
  EXPECT_TRUE(std::isfinite(normal_ppf(1.0, 0, 1)));
  EXPECT_TRUE(std::isfinite(beta_ppf(std::nan(""), 2, 2)));
  double tiny = beta_ppf(0.5, 1e-3, 1e-3);
  EXPECT_TRUE(tiny >= 0 && tiny <= 1);
  double big = beta_ppf(0.5, 1e4, 1e4);
  EXPECT_NEAR(big, 0.5, 1e-3);
}

TEST(ProbabilityTest, RoundHalfEven) {
  EXPECT_EQ(round_half_even(0.5), 0.0);
  EXPECT_EQ(round_half_even(1.5), 2.0);
  EXPECT_EQ(round_half_even(2.5), 2.0);
  EXPECT_EQ(round_half_even(-2.5), -2.0);
  EXPECT_EQ(round_half_even(2.6), 3.0);
  EXPECT_TRUE(std::signbit(round_half_even(-0.5)));
}

}  // namespace
}  // namespace labsweep::sweeps::probability
