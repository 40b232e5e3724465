#pragma once

// Maximising a smooth function of one variable on a closed interval: the Gaussian process's
// length-scale fit. A coarse grid finds the peak's neighbourhood (the function may have several
// local maxima), and Brent's method (golden sections with parabolic steps) refines it.

#include <functional>

namespace labsweep::sweeps {

struct LineMaximum {
  double x = 0;
  double value = 0;
  int evaluations = 0;  // how many times f was called
};

// The best point found: f on `grid_points` evenly spaced points of [lo, hi] (at least 2, ends
// included), then refined within the grid cells either side of the best one until a step moves
// less than `tolerance`; a best grid point at an end is returned as it is. f may return -infinity
// or NaN where it is undefined. Requires lo < hi.
LineMaximum maximize_on_interval(const std::function<double(double)>& f, double lo, double hi,
                                 int grid_points, double tolerance);

}  // namespace labsweep::sweeps
