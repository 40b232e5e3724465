#pragma once

// Largest-triangle-three-buckets downsampling (Sveinn Steinarsson, "Downsampling Time Series
// for Visual Representation", 2013): the points of a series that keep its visual shape, for
// charts that cannot show more points than they have pixels (docs/http-api.md "max_points").
//
// It lives in the orchestrator rather than the store because it is a view of the data for the
// HTTP API, like json_views.h: the store keeps and returns every point, and LTTB needs the
// whole series anyway, so SQL could not read fewer rows for it.
//
// Non-finite values (NaN, +-Infinity) cannot take part in a triangle's area, yet a chart must
// show where a trial diverged, so they never vanish silently: every bucket that holds one is
// represented by its first non-finite point (a gap or marker on the chart) instead of its
// largest triangle, and areas are measured between finite points only. See lttb.cc.

#include <cstddef>
#include <span>
#include <vector>

#include "store/records.h"

namespace labsweep::orchestrator {

// The coordinate LTTB measures along: the points' step or their time_ms.
enum class SeriesAxis { kStep, kTime };

// Indices, ascending, of the points (x[i], y[i]) that LTTB keeps; x and y have one size.
// - max_points >= size: every index (the series is already small enough).
// - max_points 0, 1, 2: none; the first; the first and the last (no bucket fits between).
// - otherwise exactly max_points indices: the first, the last, and one per bucket of the
//   max_points - 2 equal-count buckets between them. A bucket holding a point whose x or y is
//   not finite gives its first such point; any other gives the point of the published
//   algorithm, the one that makes the largest triangle with the point kept before it and the
//   mean of the next bucket (the first such point on ties). See lttb.cc for where the
//   triangle's other corners come from when non-finite points are in the way.
std::vector<size_t> lttb_indices(std::span<const double> x, std::span<const double> y,
                                 size_t max_points);

// The points of `points` that LTTB keeps, measured along `axis`, in their given order.
std::vector<store::MetricPoint> lttb_downsample(std::span<const store::MetricPoint> points,
                                                size_t max_points, SeriesAxis axis);

}  // namespace labsweep::orchestrator
