// Metric points and the per-trial summaries kept current as they are inserted.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "tests/store/store_fixture.h"

namespace labsweep::store {
namespace {

using ::testing::ElementsAre;
using testing::FailsWith;
using ::testing::IsEmpty;
using testing::IsOk;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

class MetricPointsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    sweep_ = make_sweep();
    trial_ = make_trial(sweep_, 0);
  }

  // Adds points of trial_ for `key`, as (step, value) pairs; returns how many were new.
  int64_t add(const std::string& key, std::vector<std::pair<int64_t, double>> points) {
    AddMetricPoints op;
    for (auto [step, value] : points) op.points.push_back({trial_, key, step, value, 100 + step});
    return must(std::move(op));
  }

  std::optional<MetricSummary> summary(TrialId trial, const std::string& key) {
    Result<TrialView> view = reader().trial(trial);
    EXPECT_THAT(view, IsOk());
    for (const MetricSummary& summary : view->summaries) {
      if (summary.key == key) return summary;
    }
    return std::nullopt;
  }

  std::vector<int64_t> steps(const std::string& key) {
    std::vector<int64_t> steps;
    Result<std::vector<MetricPoint>> series = reader().metric_series(trial_, key);
    EXPECT_THAT(series, IsOk());
    if (!series) return steps;
    for (const MetricPoint& point : *series) {
      steps.push_back(point.step);
    }
    return steps;
  }

  SweepId sweep_;
  TrialId trial_;
};

TEST_F(MetricPointsTest, APointIsStoredAndSummarised) {
  EXPECT_EQ(add("loss", {{0, 2.5}}), 1);
  Result<std::vector<MetricPoint>> series = reader().metric_series(trial_, "loss");
  ASSERT_THAT(series, IsOk());
  EXPECT_THAT(*series, ElementsAre(MetricPoint{0, 2.5, 100}));
  EXPECT_EQ(summary(trial_, "loss"), (MetricSummary{.key = "loss",
                                                    .count = 1,
                                                    .last_step = 0,
                                                    .last_value = 2.5,
                                                    .min = MetricExtreme{2.5, 0},
                                                    .max = MetricExtreme{2.5, 0}}));
}

TEST_F(MetricPointsTest, ADuplicatePointIsStoredOnceAndCountedOnce) {
  EXPECT_EQ(add("loss", {{1, 0.9}, {2, 0.8}}), 2);
  // Resent after a reconnect, with a different value even: the first one stays.
  EXPECT_EQ(add("loss", {{2, 0.1}, {1, 0.9}, {3, 0.7}}), 1);
  // Twice within one operation.
  EXPECT_EQ(add("loss", {{4, 0.6}, {4, 0.05}}), 1);
  EXPECT_THAT(steps("loss"), ElementsAre(1, 2, 3, 4));
  std::optional<MetricSummary> loss = summary(trial_, "loss");
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->count, 4);
  EXPECT_EQ(loss->min, (MetricExtreme{0.6, 4}));
  EXPECT_EQ(loss->max, (MetricExtreme{0.9, 1}));
  EXPECT_EQ(loss->last_value, 0.6);
}

TEST_F(MetricPointsTest, LastIsTheHighestStepWhateverTheArrivalOrder) {
  add("acc", {{5, 0.5}, {1, 0.1}});
  add("acc", {{3, 0.9}});
  add("acc", {{2, 0.2}, {4, 0.05}});
  std::optional<MetricSummary> acc = summary(trial_, "acc");
  ASSERT_TRUE(acc);
  EXPECT_EQ(acc->count, 5);
  EXPECT_EQ(acc->last_step, 5);
  EXPECT_EQ(acc->last_value, 0.5);
  EXPECT_EQ(acc->min, (MetricExtreme{0.05, 4}));
  EXPECT_EQ(acc->max, (MetricExtreme{0.9, 3}));
  add("acc", {{6, 0.3}});
  EXPECT_EQ(summary(trial_, "acc")->last_step, 6);
  EXPECT_EQ(summary(trial_, "acc")->last_value, 0.3);
  EXPECT_THAT(steps("acc"), ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST_F(MetricPointsTest, TiedExtremesKeepTheLowestStep) {
  add("loss", {{7, 1.0}});
  add("loss", {{3, 1.0}, {9, 1.0}});
  std::optional<MetricSummary> loss = summary(trial_, "loss");
  EXPECT_EQ(loss->min, (MetricExtreme{1.0, 3}));
  EXPECT_EQ(loss->max, (MetricExtreme{1.0, 3}));
}

TEST_F(MetricPointsTest, NaNIsKeptButNeverTheMinimumOrMaximum) {
  add("loss", {{1, kNaN}});
  std::optional<MetricSummary> loss = summary(trial_, "loss");
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->count, 1);
  EXPECT_TRUE(std::isnan(loss->last_value));
  EXPECT_EQ(loss->min, std::nullopt);
  EXPECT_EQ(loss->max, std::nullopt);

  add("loss", {{0, 3.0}, {2, kNaN}, {3, -kInf}});
  loss = summary(trial_, "loss");
  EXPECT_EQ(loss->count, 4);
  EXPECT_EQ(loss->last_step, 3);
  EXPECT_EQ(loss->last_value, -kInf);
  EXPECT_EQ(loss->min, (MetricExtreme{-kInf, 3}));
  EXPECT_EQ(loss->max, (MetricExtreme{3.0, 0}));
  Result<std::vector<MetricPoint>> series = reader().metric_series(trial_, "loss");
  ASSERT_EQ(series->size(), 4u);
  EXPECT_TRUE(std::isnan((*series)[1].value));
  EXPECT_TRUE(std::isnan((*series)[2].value));
}

TEST_F(MetricPointsTest, SummariesAreKeptPerTrialAndKey) {
  TrialId other = make_trial(sweep_, 1);
  must(AddMetricPoints{{{trial_, "loss", 0, 1.0, 0},
                        {other, "loss", 0, 5.0, 0},
                        {trial_, "acc", 0, 0.5, 0},
                        {other, "loss", 1, 4.0, 0}}});
  EXPECT_EQ(summary(trial_, "loss")->count, 1);
  EXPECT_EQ(summary(other, "loss")->count, 2);
  EXPECT_EQ(summary(other, "loss")->last_value, 4.0);
  EXPECT_EQ(summary(other, "acc"), std::nullopt);
  std::vector<std::string> keys;
  Result<TrialView> view = reader().trial(trial_);
  ASSERT_THAT(view, IsOk());
  for (const MetricSummary& s : view->summaries) keys.push_back(s.key);
  EXPECT_THAT(keys, ElementsAre("acc", "loss"));  // by key
}

TEST_F(MetricPointsTest, ABadPointFailsItsWholeOperationAndNothingElse) {
  add("loss", {{0, 1.0}});
  // A new key, then an unknown trial: the key and the good point go with the operation.
  EXPECT_THAT(write(AddMetricPoints{{{trial_, "fresh", 0, 1.0, 0},
                                     {trial_, "loss", 1, 0.5, 0},
                                     {TrialId{4040}, "loss", 0, 1.0, 0}}}),
              FailsWith(StatusCode::kNotFound, "add metric points: trial 4040 does not exist"));
  EXPECT_THAT(write(AddMetricPoints{{{trial_, "", 3, 1.0, 0}}}),
              FailsWith(StatusCode::kInvalidArgument, "add metric points: a point of trial " +
                                                          std::to_string(trial_.value) +
                                                          " at step 3 has no metric name"));
  EXPECT_EQ(summary(trial_, "loss")->count, 1);
  EXPECT_EQ(summary(trial_, "fresh"), std::nullopt);
  // The rolled-back key is not remembered by mistake.
  EXPECT_EQ(add("fresh", {{0, 2.0}}), 1);
  EXPECT_EQ(summary(trial_, "fresh")->count, 1);
}

TEST_F(MetricPointsTest, SeriesStartFromAStepAndUnknownKeysAreEmpty) {
  add("loss", {{0, 1.0}, {10, 0.5}, {20, 0.25}});
  std::vector<int64_t> from_ten;
  Result<std::vector<MetricPoint>> series = reader().metric_series(trial_, "loss", 10);
  ASSERT_THAT(series, IsOk());
  for (const MetricPoint& point : *series) {
    from_ten.push_back(point.step);
  }
  EXPECT_THAT(from_ten, ElementsAre(10, 20));
  EXPECT_THAT(*reader().metric_series(trial_, "never-reported"), IsEmpty());
  EXPECT_THAT(reader().metric_series(TrialId{999}, "loss"),
              FailsWith(StatusCode::kNotFound, "trial 999 does not exist"));
}

// Points arrive shuffled, in many operations, with resends; the summaries must equal what
// the stored points say.
TEST_F(MetricPointsTest, SummariesMatchTheStoredPoints) {
  constexpr uint32_t kSeed = 20240611;
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937 rng(kSeed);
  std::vector<TrialId> trials = {trial_, make_trial(sweep_, 1), make_trial(sweep_, 2)};
  std::vector<std::string> keys = {"loss", "acc", "lr"};
  std::vector<MetricSample> all;
  for (TrialId trial : trials) {
    for (const std::string& key : keys) {
      for (int64_t step = 0; step < 60; ++step) {
        double value = std::uniform_real_distribution<double>(-1, 1)(rng);
        if (rng() % 17 == 0) value = kNaN;
        if (rng() % 13 == 0) value = 0.5;  // ties
        all.push_back({trial, key, step * 3 - 20, value, step});
      }
    }
  }
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<MetricSample> resent(all.begin(), all.begin() + 100);
  all.insert(all.end(), resent.begin(), resent.end());
  std::shuffle(all.begin() + 300, all.end(), rng);
  int64_t inserted = 0;
  std::vector<std::future<Result<int64_t>>> adds;
  for (size_t begin = 0; begin < all.size(); begin += 37) {
    size_t end = std::min(all.size(), begin + 37);
    adds.push_back(writer_->submit(AddMetricPoints{{all.begin() + begin, all.begin() + end}}));
  }
  for (auto& add : adds) inserted += *add.get();
  EXPECT_EQ(inserted, 3 * 3 * 60);

  for (TrialId trial : trials) {
    for (const std::string& key : keys) {
      SCOPED_TRACE(key + " of trial " + std::to_string(trial.value));
      std::vector<MetricPoint> series = *reader().metric_series(trial, key);
      ASSERT_EQ(series.size(), 60u);
      MetricSummary expected{.key = key, .count = 60};
      expected.last_step = series.back().step;
      expected.last_value = series.back().value;
      for (const MetricPoint& point : series) {  // ascending steps: the first extreme wins ties
        if (std::isnan(point.value)) continue;
        if (!expected.min || point.value < expected.min->value) {
          expected.min = MetricExtreme{point.value, point.step};
        }
        if (!expected.max || point.value > expected.max->value) {
          expected.max = MetricExtreme{point.value, point.step};
        }
      }
      std::optional<MetricSummary> actual = summary(trial, key);
      ASSERT_TRUE(actual);
      EXPECT_EQ(actual->count, expected.count);
      EXPECT_EQ(actual->last_step, expected.last_step);
      EXPECT_TRUE(actual->last_value == expected.last_value ||
                  (std::isnan(actual->last_value) && std::isnan(expected.last_value)));
      EXPECT_EQ(actual->min, expected.min);
      EXPECT_EQ(actual->max, expected.max);
    }
  }
}

}  // namespace
}  // namespace labsweep::store
