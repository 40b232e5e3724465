#include "sweeps/probability.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <limits>

namespace labsweep::sweeps::probability {
namespace {

constexpr double kTiny = 1e-300;

double clamp_quantile(double u) {
  constexpr double kLow = std::numeric_limits<double>::min();
  constexpr double kHigh = 1.0 - std::numeric_limits<double>::epsilon() / 2;
  if (!(u > kLow)) return kLow;  // also catches NaN
  return u < kHigh ? u : kHigh;
}

// Wichura's algorithm AS 241 (PPND16): the standard normal quantile to about 1e-16.
double standard_normal_ppf(double p) {
  double q = p - 0.5;
  if (std::abs(q) <= 0.425) {
    double r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) *
                    r +
                45921.953931549871457) *
                   r +
               13731.693765509461125) *
                  r +
              1971.5909503065514427) *
                 r +
             133.14166789178437745) *
                r +
            3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) *
                    r +
                21213.794301586595867) *
                   r +
               5394.1960214247511077) *
                  r +
              687.1870074920579083) *
                 r +
             42.313330701600911252) *
                r +
            1.0);
  }
  double r = q < 0 ? p : 1.0 - p;
  r = std::sqrt(-std::log(r));
  double x;
  if (r <= 5.0) {
    r -= 1.6;
    x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
              0.24178072517745061177) *
                 r +
             1.27045825245236838258) *
                r +
            3.64784832476320460504) *
               r +
           5.7694972214606914055) *
              r +
          4.6303378461565452959) *
             r +
         1.42343711074968357734) /
        (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
              0.0151986665636164571966) *
                 r +
             0.14810397642748007459) *
                r +
            0.68976733498510000455) *
               r +
           1.6763848301838038494) *
              r +
          2.05319162663775882187) *
             r +
         1.0);
  } else {
    r -= 5.0;
    x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
              0.0012426609473880784386) *
                 r +
             0.026532189526576123093) *
                r +
            0.29656057182850489123) *
               r +
           1.7848265399172913358) *
              r +
          5.4637849111641143699) *
             r +
         6.6579046435011037772) /
        (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
              1.8463183175100546818e-5) *
                 r +
             7.868691311456132591e-4) *
                r +
            0.0148753612908506148525) *
               r +
           0.13692988092273580531) *
              r +
          0.59983220655588793769) *
             r +
         1.0);
  }
  return q < 0 ? -x : x;
}

// The continued fraction of the incomplete beta function, by the modified Lentz method.
double beta_continued_fraction(double x, double a, double b) {
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  d = 1.0 / (std::abs(d) < kTiny ? kTiny : d);
  double h = d;
  for (int m = 1; m <= 10'000; ++m) {
    for (int half = 0; half < 2; ++half) {
      double coefficient = half == 0
                               ? m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
                               : -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
      d = 1.0 + coefficient * d;
      d = 1.0 / (std::abs(d) < kTiny ? kTiny : d);
      c = 1.0 + coefficient / c;
      if (std::abs(c) < kTiny) c = kTiny;
      h *= d * c;
      if (half == 1 && std::abs(d * c - 1.0) < 1e-16) return h;
    }
  }
  return h;
}

double log_beta_prefactor(double x, double a, double b) {
  return std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
         b * std::log1p(-x);
}

}  // namespace

double normal_cdf(double x, double mu, double sigma) {
  if (!(sigma > 0)) return x < mu ? 0.0 : 1.0;
  return 0.5 * std::erfc(-(x - mu) / (sigma * std::sqrt(2.0)));
}

double normal_ppf(double u, double mu, double sigma) {
  if (!(sigma > 0)) return mu;
  return mu + sigma * standard_normal_ppf(clamp_quantile(u));
}

double lognormal_cdf(double x, double mu, double sigma) {
  if (x <= 0) return 0.0;
  return normal_cdf(std::log(x), mu, sigma);
}

double lognormal_ppf(double u, double mu, double sigma) {
  return std::exp(normal_ppf(u, mu, sigma));
}

double beta_cdf(double x, double a, double b) {
  if (a <= 0 && b <= 0) return x < 0.5 ? 0.0 : 1.0;
  if (a <= 0) return x < 0 ? 0.0 : 1.0;
  if (b <= 0) return x < 1 ? 0.0 : 1.0;
  if (x <= 0) return 0.0;
  if (x >= 1) return 1.0;
  // The fraction converges fast for x below the mean; above it, use the symmetry
  // I_x(a, b) = 1 - I_{1-x}(b, a).
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return std::exp(log_beta_prefactor(x, a, b)) * beta_continued_fraction(x, a, b) / a;
  }
  return 1.0 - std::exp(log_beta_prefactor(x, a, b)) * beta_continued_fraction(1.0 - x, b, a) / b;
}

double beta_ppf(double u, double a, double b) {
  if (a <= 0 && b <= 0) return 0.5;
  if (a <= 0) return 0.0;
  if (b <= 0) return 1.0;
  u = clamp_quantile(u);
  // Bisection keeps a bracket; Newton steps inside it converge fast where the density is
  // smooth, and bisection takes over where a step would leave the bracket. Convergence is
  // relative, because the quantiles of small a or b lie many decades below 1.
  const double log_norm = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b);
  double lo = 0.0;
  double hi = 1.0;
  double x = a / (a + b);
  for (int i = 0; i < 400; ++i) {
    double f = beta_cdf(x, a, b) - u;
    if (f == 0) return x;
    (f < 0 ? lo : hi) = x;
    double log_density = (a - 1.0) * std::log(x) + (b - 1.0) * std::log1p(-x) + log_norm;
    double next = x - f / std::exp(log_density);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 1e-15 * std::min(x, 1.0 - x) || next == x) return next;
    x = next;
  }
  return x;
}

double round_half_even(double x) {
  // nearbyint rounds in the current mode, which is to-nearest-even unless someone changed it.
  int mode = std::fegetround();
  if (mode != FE_TONEAREST) std::fesetround(FE_TONEAREST);
  double r = std::nearbyint(x);
  if (mode != FE_TONEAREST) std::fesetround(mode);
  return r;
}

}  // namespace labsweep::sweeps::probability
