#include "orchestrator/lttb.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <optional>

namespace labsweep::orchestrator {
namespace {

struct Point {
  double x = 0;
  double y = 0;
};

// The series as LTTB reads it; a point whose x or y is not finite has no place on a line.
struct Series {
  std::span<const double> x;
  std::span<const double> y;

  size_t size() const { return x.size(); }
  bool finite(size_t i) const { return std::isfinite(x[i]) && std::isfinite(y[i]); }
  Point at(size_t i) const { return {x[i], y[i]}; }
};

// The max_points - 2 buckets between the first and the last point, of equal count to within
// one. The published algorithm computes the bounds as floor(b * every) + 1 with a floating
// `every` = (size - 2) / (max_points - 2); integers give the same floors without rounding.
struct Buckets {
  size_t size = 0;   // of the series
  size_t count = 0;  // of buckets
  size_t begin(size_t b) const { return 1 + b * (size - 2) / count; }
  size_t end(size_t b) const { return 1 + (b + 1) * (size - 2) / count; }
};

std::optional<size_t> first_non_finite(const Series& series, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (!series.finite(i)) return i;
  }
  return std::nullopt;
}

std::optional<Point> finite_mean(const Series& series, size_t begin, size_t end) {
  Point sum;
  size_t count = 0;
  for (size_t i = begin; i < end; ++i) {
    if (!series.finite(i)) continue;
    sum.x += series.x[i];
    sum.y += series.y[i];
    ++count;
  }
  if (count == 0) return std::nullopt;
  return Point{sum.x / static_cast<double>(count), sum.y / static_cast<double>(count)};
}

// The third corner for bucket b: the mean of the next bucket (of the last point after the last
// bucket), as published. Non-finite points are left out of the mean; a bucket with no finite
// point is skipped for the first one after it that has, as if the gap were not there. Each
// run of such buckets is scanned once, by the bucket before it, since buckets that hold a
// non-finite point ask for no corner. Nullopt when no finite point follows.
std::optional<Point> next_corner(const Series& series, const Buckets& buckets, size_t b) {
  for (size_t next = b + 1; next < buckets.count; ++next) {
    std::optional<Point> mean = finite_mean(series, buckets.begin(next), buckets.end(next));
    if (mean) return mean;
  }
  const size_t last = series.size() - 1;
  if (series.finite(last)) return series.at(last);
  return std::nullopt;
}

// The point of [begin, end) with the largest triangle a-p-c; the first on ties. An area that
// overflows to NaN is never larger, so the bucket's first point stands when all do.
size_t largest_triangle(const Series& series, size_t begin, size_t end, Point a, Point c) {
  size_t best = begin;
  double best_area = -1;
  for (size_t i = begin; i < end; ++i) {
    // Twice the area; the published halving changes no comparison.
    const double area =
        std::abs((a.x - c.x) * (series.y[i] - a.y) - (a.x - series.x[i]) * (c.y - a.y));
    if (area > best_area) {
      best_area = area;
      best = i;
    }
  }
  return best;
}

// The point kept for bucket b, whose first corner is the last finite point kept before it.
// Where there is none (the series began with non-finite values), the bucket's own first point
// stands in; where no finite point follows, its own last point does: the bucket then keeps the
// point farthest from the line through its two ends.
size_t pick(const Series& series, const Buckets& buckets, size_t b, std::optional<Point> anchor) {
  const size_t begin = buckets.begin(b);
  const size_t end = buckets.end(b);
  std::optional<size_t> marker = first_non_finite(series, begin, end);
  if (marker) return *marker;
  const Point a = anchor.value_or(series.at(begin));
  const Point c = next_corner(series, buckets, b).value_or(series.at(end - 1));
  return largest_triangle(series, begin, end, a, c);
}

}  // namespace

std::vector<size_t> lttb_indices(std::span<const double> x, std::span<const double> y,
                                 size_t max_points) {
  if (x.size() != y.size()) {
    std::fprintf(stderr, "lttb_indices: %zu x but %zu y\n", x.size(), y.size());
    std::abort();
  }
  const Series series{x, y};
  const size_t size = series.size();
  std::vector<size_t> kept;
  if (max_points >= size) {
    kept.resize(size);
    std::iota(kept.begin(), kept.end(), size_t{0});
    return kept;
  }
  if (max_points == 0) return kept;
  kept.reserve(max_points);
  kept.push_back(0);
  if (max_points == 1) return kept;

  const Buckets buckets{.size = size, .count = max_points - 2};
  std::optional<Point> anchor;
  if (series.finite(0)) anchor = series.at(0);
  for (size_t b = 0; b < buckets.count; ++b) {
    const size_t chosen = pick(series, buckets, b, anchor);
    kept.push_back(chosen);
    if (series.finite(chosen)) anchor = series.at(chosen);
  }
  kept.push_back(size - 1);
  return kept;
}

std::vector<store::MetricPoint> lttb_downsample(std::span<const store::MetricPoint> points,
                                                size_t max_points, SeriesAxis axis) {
  if (max_points >= points.size()) return {points.begin(), points.end()};
  std::vector<double> x(points.size());
  std::vector<double> y(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const int64_t along = axis == SeriesAxis::kStep ? points[i].step : points[i].time_ms;
    x[i] = static_cast<double>(along);
    y[i] = points[i].value;
  }
  std::vector<store::MetricPoint> kept;
  for (size_t i : lttb_indices(x, y, max_points)) kept.push_back(points[i]);
  return kept;
}

}  // namespace labsweep::orchestrator
