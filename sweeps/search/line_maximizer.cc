#include "sweeps/search/line_maximizer.h"

#include <algorithm>
#include <cmath>

namespace labsweep::sweeps {
namespace {

// Brent's method for the minimum of g on [a, b], started at x inside with g(x) = gx known
// (Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 5): each step is a
// parabola through the three best points when that lands well inside the bracket and shrinks the
// steps fast enough, else a golden section, so it converges superlinearly on smooth functions and
// never much slower than golden sections (plain parabolic steps can crawl from one side).
struct Brent {
  const std::function<double(double)>& g;
  double tolerance;
  int evaluations = 0;

  double call(double x) {
    ++evaluations;
    return g(x);
  }

  // The step d from x: parabolic through (x, w, v) when acceptable, else golden; e is the step
  // before last.
  static void step(double a, double b, double x, double w, double v, double fx, double fw,
                   double fv, double tol, double& d, double& e) {
    constexpr double kGolden = 0.3819660112501051;  // (3 - sqrt(5)) / 2
    double mid = (a + b) / 2;
    if (std::abs(e) > tol) {
      double r = (x - w) * (fx - fv);
      double q = (x - v) * (fx - fw);
      double p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = std::abs(q);
      double previous = e;
      e = d;
      if (std::abs(p) < std::abs(q * previous / 2) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        double u = x + d;
        if (u - a < 2 * tol || b - u < 2 * tol) d = x < mid ? tol : -tol;
        return;
      }
    }
    e = x >= mid ? a - x : b - x;
    d = kGolden * e;
  }

  void run(double a, double b, double& x, double& fx) {
    double w = x, v = x, fw = fx, fv = fx, d = 0, e = 0;
    for (int i = 0; i < 100; ++i) {
      double mid = (a + b) / 2;
      double tol = tolerance / 2;
      if (std::abs(x - mid) <= 2 * tol - (b - a) / 2) return;
      step(a, b, x, w, v, fx, fw, fv, tol, d, e);
      double u = std::abs(d) >= tol ? x + d : x + (d >= 0 ? tol : -tol);
      double fu = call(u);
      if (fu <= fx) {
        (u >= x ? a : b) = x;
        v = w, fv = fw, w = x, fw = fx, x = u, fx = fu;
        continue;
      }
      (u < x ? a : b) = u;
      if (fu <= fw || w == x) {
        v = w, fv = fw, w = u, fw = fu;
      } else if (fu <= fv || v == x || v == w) {
        v = u, fv = fu;
      }
    }
  }
};

}  // namespace

LineMaximum maximize_on_interval(const std::function<double(double)>& f, double lo, double hi,
                                 int grid_points, double tolerance) {
  int n = std::max(grid_points, 2);
  double spacing = (hi - lo) / (n - 1);
  // Brent minimises; a NaN is read as the worst value so that it is never chosen.
  std::function<double(double)> g = [&f](double x) {
    double y = f(x);
    return std::isnan(y) ? INFINITY : -y;
  };
  Brent brent{g, tolerance};
  int best = 0;
  double best_g = INFINITY;
  for (int i = 0; i < n; ++i) {
    double gi = brent.call(i == n - 1 ? hi : lo + i * spacing);
    if (gi < best_g) best = i, best_g = gi;
  }
  double x = best == n - 1 ? hi : lo + best * spacing;
  double fx = best_g;
  // A peak at an end of the interval stays there: the function rises towards the bound.
  if (std::isfinite(fx) && best > 0 && best < n - 1) {
    brent.run(x - spacing, x + spacing, x, fx);
  }
  return LineMaximum{x, -fx, brent.evaluations};
}

}  // namespace labsweep::sweeps
