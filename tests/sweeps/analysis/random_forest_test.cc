// The forest against data whose answer is known: which features y depends on and by how much.

#include "sweeps/analysis/random_forest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace labsweep::sweeps::analysis {
namespace {

struct Data {
  std::vector<std::vector<double>> columns;
  std::vector<double> y;
};

// x1, x2, x3 uniform on [0, 1]; y = 3 x1 + 0.5 x2 + a little noise; x3 does not matter.
Data additive(size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> noise(0, 0.05);
  Data d{std::vector<std::vector<double>>(3, std::vector<double>(n)), std::vector<double>(n)};
  for (size_t i = 0; i < n; ++i) {
    for (auto& column : d.columns) column[i] = unit(gen);
    d.y[i] = 3 * d.columns[0][i] + 0.5 * d.columns[1][i] + noise(gen);
  }
  return d;
}

TEST(RandomForestTest, PermutationImportanceIsTwiceEachAdditiveTermsVariance) {
  SCOPED_TRACE("data seed 7");
  Data d = additive(2000, 7);
  RandomForest forest = RandomForest::fit(d.columns, d.y, {});
  const std::vector<double>& importance = forest.permutation_importance();
  ASSERT_EQ(importance.size(), 3u);
  // Shuffling x adds Var(f(x) - f(x')) = 2 Var(f(x)): 2 * 9/12 and 2 * 0.25/12.
  EXPECT_NEAR(importance[0], 1.5, 0.2);
  EXPECT_NEAR(importance[1], 0.0417, 0.015);
  EXPECT_LT(std::abs(importance[2]), 0.005);
  EXPECT_GT(importance[1], 5 * std::abs(importance[2]));
  EXPECT_GT(forest.oob_r2(), 0.9);
}

TEST(RandomForestTest, PredictsAStep) {
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(i / 200.0);
    y.push_back(i < 100 ? 1.0 : 5.0);
  }
  RandomForest forest = RandomForest::fit({x}, y, {});
  EXPECT_NEAR(forest.predict(std::vector<double>{0.1}), 1.0, 0.1);
  EXPECT_NEAR(forest.predict(std::vector<double>{0.9}), 5.0, 0.1);
}

TEST(RandomForestTest, TheSameSeedGrowsTheSameForest) {
  Data d = additive(500, 3);
  ForestOptions options{.seed = 99};
  RandomForest a = RandomForest::fit(d.columns, d.y, options);
  RandomForest b = RandomForest::fit(d.columns, d.y, options);
  EXPECT_EQ(a.permutation_importance(), b.permutation_importance());
  EXPECT_EQ(a.oob_r2(), b.oob_r2());
  options.seed = 100;
  RandomForest c = RandomForest::fit(d.columns, d.y, options);
  EXPECT_NE(a.permutation_importance(), c.permutation_importance());
}

TEST(RandomForestTest, AConstantFeatureIsNeverSplitOn) {
  Data d = additive(300, 5);
  d.columns[2].assign(300, 4.0);
  RandomForest forest = RandomForest::fit(d.columns, d.y, {});
  EXPECT_EQ(forest.permutation_importance()[2], 0.0);
}

TEST(RandomForestTest, AConstantTargetExplainsNothing) {
  Data d = additive(100, 5);
  d.y.assign(100, 2.5);
  RandomForest forest = RandomForest::fit(d.columns, d.y, {});
  EXPECT_EQ(forest.oob_r2(), 0.0);
  for (double v : forest.permutation_importance()) EXPECT_EQ(v, 0.0);
  EXPECT_EQ(forest.predict(std::vector<double>{0.5, 0.5, 0.5}), 2.5);
}

TEST(RandomForestTest, MissingValuesAreABinOfTheirOwn) {
  // y is high exactly where x has no value.
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(i % 2 == 0 ? std::nan("") : i / 200.0);
    y.push_back(i % 2 == 0 ? 10.0 : 0.0);
  }
  RandomForest forest = RandomForest::fit({x}, y, {});
  EXPECT_NEAR(forest.predict(std::vector<double>{std::nan("")}), 10.0, 0.01);
  EXPECT_NEAR(forest.predict(std::vector<double>{0.3}), 0.0, 0.01);
  EXPECT_GT(forest.permutation_importance()[0], 10.0);
}

TEST(RandomForestTest, ManyDistinctValuesAreBinnedByQuantile) {
  // 5000 distinct values, a threshold at the 90th percentile: the bins must resolve it.
  std::vector<double> x, y;
  for (int i = 0; i < 5000; ++i) {
    x.push_back(std::exp(i / 500.0));
    y.push_back(i >= 4500 ? 1.0 : 0.0);
  }
  RandomForest forest = RandomForest::fit({x}, y, {});
  EXPECT_NEAR(forest.predict(std::vector<double>{std::exp(9.5)}), 1.0, 0.05);
  EXPECT_NEAR(forest.predict(std::vector<double>{std::exp(8.5)}), 0.0, 0.05);
}

TEST(RandomForestTest, NoSamplesGiveAnEmptyForest) {
  RandomForest forest = RandomForest::fit({std::vector<double>{}}, std::vector<double>{}, {});
  EXPECT_EQ(forest.predict(std::vector<double>{1.0}), 0.0);
  EXPECT_EQ(forest.permutation_importance(), std::vector<double>{0.0});
}

}  // namespace
}  // namespace labsweep::sweeps::analysis
