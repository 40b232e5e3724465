#include "orchestrator/lttb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> steps(size_t n) {
  std::vector<double> x(n);
  std::iota(x.begin(), x.end(), 0.0);
  return x;
}

std::vector<size_t> lttb(const std::vector<double>& y, size_t max_points) {
  return lttb_indices(steps(y.size()), y, max_points);
}

// Steinarsson's published JavaScript (github.com/sveinn-steinarsson/flot-downsample), line for
// line, returning indices: the oracle for series with finite values only.
std::vector<size_t> published_lttb(const std::vector<double>& x, const std::vector<double>& y,
                                   size_t threshold) {
  const size_t data_length = x.size();
  std::vector<size_t> sampled;
  if (threshold >= data_length || threshold == 0) {
    sampled.resize(data_length);
    std::iota(sampled.begin(), sampled.end(), size_t{0});
    return sampled;
  }
  const double every = static_cast<double>(data_length - 2) / static_cast<double>(threshold - 2);
  size_t a = 0;
  sampled.push_back(a);
  for (size_t i = 0; i < threshold - 2; ++i) {
    double avg_x = 0, avg_y = 0;
    auto avg_range_start = static_cast<size_t>(std::floor(static_cast<double>(i + 1) * every)) + 1;
    auto avg_range_end = static_cast<size_t>(std::floor(static_cast<double>(i + 2) * every)) + 1;
    avg_range_end = avg_range_end < data_length ? avg_range_end : data_length;
    const double avg_range_length = static_cast<double>(avg_range_end - avg_range_start);
    for (; avg_range_start < avg_range_end; avg_range_start++) {
      avg_x += x[avg_range_start];
      avg_y += y[avg_range_start];
    }
    avg_x /= avg_range_length;
    avg_y /= avg_range_length;
    auto range_offs = static_cast<size_t>(std::floor(static_cast<double>(i) * every)) + 1;
    auto range_to = static_cast<size_t>(std::floor(static_cast<double>(i + 1) * every)) + 1;
    const double point_a_x = x[a], point_a_y = y[a];
    double max_area = -1;
    size_t next_a = range_offs;
    for (; range_offs < range_to; range_offs++) {
      const double area = std::abs((point_a_x - avg_x) * (y[range_offs] - point_a_y) -
                                   (point_a_x - x[range_offs]) * (avg_y - point_a_y)) *
                          0.5;
      if (area > max_area) {
        max_area = area;
        next_a = range_offs;
      }
    }
    sampled.push_back(next_a);
    a = next_a;
  }
  sampled.push_back(data_length - 1);
  return sampled;
}

TEST(LttbTest, KeepsEveryPointWhenMaxPointsIsAtLeastTheSize) {
  const std::vector<double> y = {3, 1, 4, 1, 5};
  EXPECT_THAT(lttb(y, 5), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(lttb(y, 1000), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_TRUE(lttb({}, 0).empty());
  EXPECT_TRUE(lttb({}, 3).empty());
  EXPECT_THAT(lttb({kNaN}, 1), ElementsAre(0));
}

TEST(LttbTest, BelowThreePointsKeepsOnlyTheEnds) {
  const std::vector<double> y = {3, 1, 4, 1, 5, 9, 2};
  EXPECT_TRUE(lttb(y, 0).empty());
  EXPECT_THAT(lttb(y, 1), ElementsAre(0));
  EXPECT_THAT(lttb(y, 2), ElementsAre(0, 6));
}

// Worked by hand: buckets {1, 2} and {3, 4, 5}. Bucket 0 against a = (0, 0) and the mean of
// bucket 1, (4, 14/3): twice the areas are 2/3 and 32/3. Bucket 1 against a = (2, 5) and the
// last point (6, 4): 11, 6 and 19.
TEST(LttbTest, PicksTheLargestTriangleOfEachBucket) {
  EXPECT_THAT(lttb({0, 1, 5, 2, 3, 9, 4}, 4), ElementsAre(0, 2, 5, 6));
}

TEST(LttbTest, TiesGoToTheBucketsFirstPoint) {
  // Every point on one line: every triangle is flat.
  EXPECT_THAT(lttb({0, 1, 2, 3, 4, 5, 6}, 4), ElementsAre(0, 1, 3, 6));
}

TEST(LttbTest, MatchesThePublishedAlgorithmOnRandomSeries) {
  const uint32_t seed = 20131201;
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0, 1);
  for (size_t size : {3, 4, 10, 97, 1000, 4099}) {
    std::vector<double> x(size), y(size);
    double walk = 0, t = 0;
    for (size_t i = 0; i < size; ++i) {
      t += 1 + std::abs(noise(random));  // uneven spacing, as times are
      walk += noise(random);
      x[i] = t;
      y[i] = walk;
    }
    for (size_t max_points : {3, 4, 5, 17, 100, 333, 800}) {
      EXPECT_EQ(lttb_indices(x, y, max_points), published_lttb(x, y, max_points))
          << "seed " << seed << ", size " << size << ", max_points " << max_points;
    }
  }
}

TEST(LttbTest, KeepsExactlyMaxPointsAscendingWithBothEnds) {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> value(-1, 1);
  for (size_t size = 3; size < 60; ++size) {
    std::vector<double> y(size);
    for (double& v : y) v = value(random);
    if (size % 3 == 0) y[size / 2] = kNaN;
    for (size_t max_points = 2; max_points < size; ++max_points) {
      std::vector<size_t> kept = lttb(y, max_points);
      ASSERT_EQ(kept.size(), max_points) << size;
      EXPECT_EQ(kept.front(), 0u);
      EXPECT_EQ(kept.back(), size - 1);
      EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
      EXPECT_EQ(std::adjacent_find(kept.begin(), kept.end()), kept.end()) << size;
    }
  }
}

// A NaN in bucket 0 stands for it; bucket 1 then measures from the last finite point kept,
// (0, 0), to the last point (6, 4): twice the areas 0, 2 and 34.
TEST(LttbTest, ABucketWithANonFiniteValueKeepsIt) {
  EXPECT_THAT(lttb({0, 1, kNaN, 2, 3, 9, 4}, 4), ElementsAre(0, 2, 5, 6));
  // The first non-finite point of the bucket, whichever kind.
  EXPECT_THAT(lttb({0, 1, 2, kInf, -kInf, 9, 4}, 4), ElementsAre(0, 2, 3, 6));
  EXPECT_THAT(lttb({0, 1, 2, 3, -kInf, kNaN, 4}, 4), ElementsAre(0, 1, 4, 6));
}

TEST(LttbTest, TheEndsAreKeptWhenNotFinite) {
  // All NaN: each bucket's first point.
  std::vector<double> nans(10, kNaN);
  EXPECT_THAT(lttb(nans, 4), ElementsAre(0, 1, 5, 9));
  // A leading NaN: bucket 0 = {1, 2} is a marker; bucket 1 = {3, 4, 5} has no finite point
  // before it, so its own first point (3, 5) stands in, against the last (6, 3): 0, 7, 10.
  EXPECT_THAT(lttb({kNaN, kNaN, 1, 5, 2, 7, 3}, 4), ElementsAre(0, 1, 5, 6));
  // A trailing NaN: bucket 1 = {3, 4, 5} has no finite point after it, so its own last point
  // (5, 3) stands in, against a = (2, 5): 7, 10, 0.
  EXPECT_THAT(lttb({0, 1, 5, 2, 7, 3, kNaN}, 4), ElementsAre(0, 2, 4, 6));
}

// Buckets {1, 2}, {3, 4}, {5, 6}. Bucket 1 is all NaN, so bucket 0 measures towards the mean
// of bucket 2, (5.5, 6): twice the areas 0.5 and 10. Towards its own last point or the series'
// last point (7, 14) it would keep point 1.
TEST(LttbTest, ANonFiniteBucketIsSkippedForTheNextCorner) {
  EXPECT_THAT(lttb({0, 1, 4, kNaN, kNaN, 10, 2, 14}, 5), ElementsAre(0, 2, 3, 6, 7));
}

TEST(LttbTest, DuplicateXValuesAreBucketedByPosition) {
  const std::vector<double> x = {0, 1, 1, 1, 2, 2, 3, 3, 3, 4};
  const std::vector<double> y = {0, 5, -1, 2, 8, 1, 1, 7, 0, 2};
  for (size_t max_points = 3; max_points < x.size(); ++max_points) {
    EXPECT_EQ(lttb_indices(x, y, max_points), published_lttb(x, y, max_points)) << max_points;
  }
}

TEST(LttbTest, AreasThatOverflowKeepABucketsFirstPoint) {
  const double big = std::numeric_limits<double>::max();
  std::vector<double> y = {big, -big, big, -big, big, -big, big};
  std::vector<double> x = {-big, 0, big, -big, 0, big, 0};
  std::vector<size_t> kept = lttb_indices(x, y, 4);
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept.front(), 0u);
  EXPECT_EQ(kept.back(), 6u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
}

std::vector<int64_t> steps_of(const std::vector<store::MetricPoint>& points) {
  std::vector<int64_t> out;
  for (const store::MetricPoint& point : points) out.push_back(point.step);
  return out;
}

// The same values measured along step (0..6) or along time: bucket 0 against (0, 0) and the
// mean of bucket 1 (103, 14/3) gives 1091/3 and 131/3, so point 1 instead of point 2.
TEST(LttbTest, DownsamplesMetricPointsAlongStepOrTime) {
  const std::vector<double> values = {0, 1, 5, 2, 3, 9, 4};
  const std::vector<int64_t> times = {0, 100, 101, 102, 103, 104, 105};
  std::vector<store::MetricPoint> points;
  for (size_t i = 0; i < values.size(); ++i) {
    points.push_back({.step = static_cast<int64_t>(i), .value = values[i], .time_ms = times[i]});
  }
  EXPECT_THAT(steps_of(lttb_downsample(points, 4, SeriesAxis::kStep)), ElementsAre(0, 2, 5, 6));
  EXPECT_THAT(steps_of(lttb_downsample(points, 4, SeriesAxis::kTime)), ElementsAre(0, 1, 5, 6));
  EXPECT_EQ(lttb_downsample(points, 7, SeriesAxis::kTime), points);
  std::vector<store::MetricPoint> kept = lttb_downsample(points, 4, SeriesAxis::kStep);
  EXPECT_EQ(kept[1], points[2]);  // whole points: value and time come along
}

}  // namespace
}  // namespace labsweep::orchestrator
