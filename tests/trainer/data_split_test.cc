// The validation split (the same rows whatever the seed, disjoint from training) and the
// normalisation by the training rows' statistics.

#include "trainer/data_split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace labsweep::trainer {
namespace {

using ::testing::HasSubstr;

// Row i has features (i, 2i) and label i % 3, so a row is known by its first feature.
Dataset numbered(int rows) {
  Dataset d{rows, 2, 3, {}, {}};
  for (int i = 0; i < rows; ++i) {
    d.x.push_back(static_cast<float>(i));
    d.x.push_back(static_cast<float>(2 * i));
    d.y.push_back(i % 3);
  }
  return d;
}

// The original row numbers of a split set, undoing the normalisation.
std::vector<int> row_numbers(const Dataset& set, const SplitData& data) {
  std::vector<int> rows;
  for (int r = 0; r < set.rows; ++r) {
    rows.push_back(static_cast<int>(std::lround(set.x[2 * r] / data.scale + data.mean)));
  }
  return rows;
}

TEST(DataSplitTest, HoldsOutTheFractionDisjointlyAndKeepsLabelsWithTheirRows) {
  Result<SplitData> data = split_and_normalise(numbered(100), numbered(10), 0.2, 0);
  ASSERT_TRUE(data.is_ok()) << data.status().message();
  EXPECT_EQ(data->train.rows, 80);
  EXPECT_EQ(data->validation.rows, 20);
  EXPECT_EQ(data->test.rows, 10);
  std::vector<int> train = row_numbers(data->train, *data);
  std::vector<int> validation = row_numbers(data->validation, *data);
  std::set<int> all(train.begin(), train.end());
  all.insert(validation.begin(), validation.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), 99);
  for (int r = 0; r < data->validation.rows; ++r)
    EXPECT_EQ(data->validation.y[r], validation[r] % 3);
}

TEST(DataSplitTest, TheValidationRowsAreTheSameEveryTimeAndNotTheFirstOnes) {
  Result<SplitData> a = split_and_normalise(numbered(1000), numbered(10), 0.1, 0);
  Result<SplitData> b = split_and_normalise(numbered(1000), numbered(10), 0.1, 0);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  std::vector<int> rows = row_numbers(a->validation, *a);
  EXPECT_EQ(rows, row_numbers(b->validation, *b));
  int in_last_tenth = 0;
  for (int r : rows) in_last_tenth += r >= 900;
  EXPECT_LT(in_last_tenth, 50);  // a shuffle, not a tail: about 10 of 100 expected
}

TEST(DataSplitTest, NormalisesEverySetWithTheTrainingStatistics) {
  Result<SplitData> data = split_and_normalise(numbered(200), numbered(10), 0.5, 0);
  ASSERT_TRUE(data.is_ok());
  double sum = 0;
  double squares = 0;
  for (float v : data->train.x) {
    sum += v;
    squares += v * v;
  }
  double n = static_cast<double>(data->train.x.size());
  EXPECT_NEAR(sum / n, 0.0, 1e-4);
  EXPECT_NEAR(squares / n, 1.0, 1e-4);
  EXPECT_FLOAT_EQ(data->test.x[2], (1.0f - data->mean) * data->scale);
}

TEST(DataSplitTest, LimitTrainKeepsAtMostThatManyTrainingRows) {
  Result<SplitData> data = split_and_normalise(numbered(100), numbered(10), 0.1, 25);
  ASSERT_TRUE(data.is_ok());
  EXPECT_EQ(data->train.rows, 25);
  EXPECT_EQ(data->validation.rows, 10);
  Result<SplitData> all = split_and_normalise(numbered(100), numbered(10), 0.1, 500);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->train.rows, 90);
}

TEST(DataSplitTest, RefusesSplitsThatLeaveASetEmptyAndMismatchedSets) {
  Result<SplitData> none = split_and_normalise(numbered(5), numbered(2), 0.05, 0);
  ASSERT_FALSE(none.is_ok());
  EXPECT_THAT(none.status().message(), HasSubstr("leaves no validation or no training rows"));
  Dataset wide = numbered(3);
  wide.features = 3;
  Result<SplitData> mismatched = split_and_normalise(numbered(10), wide, 0.5, 0);
  ASSERT_FALSE(mismatched.is_ok());
  EXPECT_EQ(mismatched.status().message(),
            "the training set has 2 features per row and the test set 3");
}

}  // namespace
}  // namespace labsweep::trainer
