#include "sweeps/stopping/ranked_values.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace labsweep::sweeps {
namespace {

TEST(RankedValuesTest, KthSmallestFollowsInsertionsInAnyOrder) {
  RankedValues values;
  values.insert(5);
  EXPECT_EQ(values.kth(0), 5);
  values.insert(1);
  values.insert(9);
  EXPECT_EQ(values.kth(0), 1);
  EXPECT_EQ(values.kth(2), 9);
  values.insert(3);  // smaller than the split's largest after kth(2)
  EXPECT_EQ(values.kth(1), 3);
  EXPECT_EQ(values.kth(3), 9);
  EXPECT_EQ(values.kth(0), 1);
  EXPECT_EQ(values.size(), 4u);
}

TEST(RankedValuesTest, DuplicatesKeepTheirRanks) {
  RankedValues values;
  for (double v : {2.0, 2.0, 1.0, 2.0}) values.insert(v);
  EXPECT_EQ(values.kth(0), 1);
  EXPECT_EQ(values.kth(1), 2);
  EXPECT_EQ(values.kth(3), 2);
}

TEST(RankedValuesTest, MedianOfOddAndEvenCounts) {
  RankedValues values;
  values.insert(4);
  EXPECT_EQ(values.median(), 4);
  values.insert(1);
  EXPECT_EQ(values.median(), 2.5);
  values.insert(10);
  EXPECT_EQ(values.median(), 4);
  values.insert(-2);
  EXPECT_EQ(values.median(), 2.5);
}

TEST(RankedValuesTest, AgreesWithSortingOverAFixedSequence) {
  RankedValues values;
  std::vector<double> sorted;
  double x = 0.3;
  for (int i = 0; i < 200; ++i) {
    x = x * 3.9 * (1 - x);  // the logistic map: a deterministic, irregular sequence
    values.insert(x);
    sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), x), x);
    size_t k = sorted.size() / 3;
    ASSERT_EQ(values.kth(k), sorted[k]) << i;
    size_t n = sorted.size();
    double median =
        n % 2 ? sorted[n / 2] : sorted[n / 2 - 1] + (sorted[n / 2] - sorted[n / 2 - 1]) / 2;
    ASSERT_EQ(values.median(), median) << i;
  }
}

}  // namespace
}  // namespace labsweep::sweeps
