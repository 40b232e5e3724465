#include "sweeps/analysis/rank_correlation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace labsweep::sweeps::analysis {
namespace {

using V = std::vector<double>;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

TEST(RankCorrelationTest, AnyIncreasingRelationIsOne) {
  V x{1, 2, 3, 4, 5};
  V y{1, 8, 27, 64, 125};
  EXPECT_DOUBLE_EQ(*spearman_correlation(x, y), 1.0);
  V down{10, 5, 1, 0.5, 0.1};
  EXPECT_DOUBLE_EQ(*spearman_correlation(x, down), -1.0);
}

TEST(RankCorrelationTest, TiesShareTheirMeanRank) {
  // x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4: Pearson of those is 0.9486832980505138.
  V x{1, 2, 2, 3};
  V y{1, 2, 3, 4};
  EXPECT_NEAR(*spearman_correlation(x, y), 0.9486832980505138, 1e-12);
}

TEST(RankCorrelationTest, KnownValue) {
  // Ranks x: 1 2 3 4 5; y: 2 1 4 3 5; d^2 sums to 4: 1 - 6*4/(5*24) = 0.8.
  V x{0.1, 0.2, 0.3, 0.4, 0.5};
  V y{20, 10, 40, 30, 50};
  EXPECT_NEAR(*spearman_correlation(x, y), 0.8, 1e-12);
}

TEST(RankCorrelationTest, PairsWithANonFiniteSideAreLeftOut) {
  V x{1, 2, kNan, 3, 4};
  V y{1, 2, 100, std::numeric_limits<double>::infinity(), 3};
  EXPECT_DOUBLE_EQ(*spearman_correlation(x, y), 1.0);
}

TEST(RankCorrelationTest, UndefinedForConstantsAndFewPairs) {
  EXPECT_FALSE(spearman_correlation(V{1, 1, 1, 1}, V{1, 2, 3, 4}));
  EXPECT_FALSE(spearman_correlation(V{1, 2, 3, 4}, V{7, 7, 7, 7}));
  EXPECT_FALSE(spearman_correlation(V{1, 2}, V{1, 2}));
  EXPECT_FALSE(spearman_correlation(V{}, V{}));
  EXPECT_FALSE(spearman_correlation(V{1, 2, kNan}, V{1, 2, 3}));
}

}  // namespace
}  // namespace labsweep::sweeps::analysis
