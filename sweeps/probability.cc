#include "sweeps/probability.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

namespace labsweep::sweeps::probability {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// ---- Arguments ----------------------------------------------------------------------------

// The smallest and largest doubles strictly inside (0, 1): u = 0 and u = 1 then give the most
// extreme finite quantiles rather than infinities.
constexpr double kLowestU = std::numeric_limits<double>::denorm_min();
constexpr double kHighestU = 1.0 - kEpsilon / 2;

double clamp_quantile(double u) {
  if (std::isnan(u)) return 0.5;
  return std::clamp(u, kLowestU, kHighestU);
}

double clamp_shape(double s) { return s < 0 ? 0.0 : s; }  // NaN passes through

// The cdf of a point mass at `at`, right-continuous as every cdf is.
double step_at(double x, double at) {
  if (std::isnan(x)) return kNan;
  return x < at ? 0.0 : 1.0;
}

// ---- Normal quantile: Wichura's AS241 (PPND16) ----------------------------------------------
//
// Three rational functions of degree 7/7, each fitted on its own range: one in q = u - 0.5 for
// the central region, two in r = sqrt(-log(min(u, 1 - u))) for the tails (r <= 5, i.e. down to
// u ~ 1.4e-11, and beyond). Wichura reports about 1e-16 relative error, and since the tail
// variable is built from log(u), that holds down to the smallest subnormal u.

using Coefficients = std::array<double, 8>;  // lowest degree first

double polynomial(const Coefficients& c, double r) {
  double sum = 0;
  for (auto it = c.rbegin(); it != c.rend(); ++it) sum = sum * r + *it;
  return sum;
}

// Wichura's published coefficients.
// clang-format off
constexpr Coefficients kCentralNumerator = {
    3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
    1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
    3.3430575583588128105e+4, 2.5090809287301226727e+3
};
constexpr Coefficients kCentralDenominator = {
    1.0, 4.2313330701600911252e+1, 6.8718700749205790830e+2,
    5.3941960214247511077e+3, 2.1213794301586595867e+4, 3.9307895800092710610e+4,
    2.8729085735721942674e+4, 5.2264952788528545610e+3
};
constexpr Coefficients kNearTailNumerator = {
    1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
    3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
    2.27238449892691845833e-2, 7.74545014278341407640e-4
};
constexpr Coefficients kNearTailDenominator = {
    1.0, 2.05319162663775882187e0, 1.67638483018380384940e0,
    6.89767334985100004550e-1, 1.48103976427480074590e-1, 1.51986665636164571966e-2,
    5.47593808499534494600e-4, 1.05075007164441684324e-9
};
constexpr Coefficients kFarTailNumerator = {
    6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
    2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
    2.71155556874348757815e-5, 2.01033439929228813265e-7
};
constexpr Coefficients kFarTailDenominator = {
    1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1,
    1.48753612908506148525e-2, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
    1.42151175831644588870e-7, 2.04426310338993978564e-15
};
// clang-format on

// u in (0, 1).
double standard_normal_ppf(double u) {
  double q = u - 0.5;
  if (std::abs(q) <= 0.425) {
    double r = 0.180625 - q * q;
    return q * polynomial(kCentralNumerator, r) / polynomial(kCentralDenominator, r);
  }
  // 1 - u is exact for u >= 0.5 (Sterbenz), so the upper tail loses nothing here.
  double r = std::sqrt(-std::log(q < 0 ? u : 1.0 - u));
  double z =
      r <= 5.0 ? polynomial(kNearTailNumerator, r - 1.6) / polynomial(kNearTailDenominator, r - 1.6)
               : polynomial(kFarTailNumerator, r - 5.0) / polynomial(kFarTailDenominator, r - 5.0);
  return q < 0 ? -z : z;
}

// ---- Logarithms that keep their precision -------------------------------------------------

// log1p(t) - t, without the cancellation of computing it that way when t is small.
double log1p_minus_x(double t) {
  if (std::abs(t) >= 0.5) return std::log1p(t) - t;
  // -t^2/2 + t^3/3 - t^4/4 + ...: with |t| < 0.5 fifty terms reach double precision.
  double power = t * t;
  double sum = 0;
  for (int k = 2; k < 60; ++k) {
    double term = power / k;
    sum += (k % 2 == 0) ? -term : term;
    if (std::abs(term) <= kEpsilon * std::abs(sum)) break;
    power *= t;
  }
  return sum;
}

// log(x) for a pair with x + y = 1 where only the smaller of the two is exact (the other was
// rounded when it was computed as 1 - the smaller one).
double log_of_pair(double x, double y) { return x > 0.5 ? std::log1p(-y) : std::log(x); }

// ---- Log of the beta function ---------------------------------------------------------------
//
// lgamma(a) + lgamma(b) - lgamma(a + b) cancels badly: lgamma(1e4) is about 8e4, so the
// difference keeps only 11 digits, and with a = 1e-3 the last two terms nearly cancel. Instead,
// large arguments go through Stirling's series, log Gamma(z) = (z - 1/2) log z - z + log(2 pi)/2
// + delta(z), where the leading terms cancel algebraically and only the small remainders delta
// are subtracted; small ones are first shifted up with Gamma(z + 1) = z Gamma(z).

constexpr double kStirlingThreshold = 10.0;
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2

// delta(z) = log Gamma(z) - Stirling's leading terms, for z >= 10: the asymptotic series
// sum B_2k / (2k (2k - 1) z^(2k-1)), whose next term at z = 10 is 3e-17.
double stirling_remainder(double z) {
  constexpr std::array<double, 7> kTerms = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                                            1.0 / 1188, -691.0 / 360360, 1.0 / 156};
  double inverse_square = 1.0 / (z * z);
  double sum = 0;
  for (auto it = kTerms.rbegin(); it != kTerms.rend(); ++it) sum = sum * inverse_square + *it;
  return sum / z;
}

// log Gamma(q) - log Gamma(p + q) for p, q > 0, accurate even when p is tiny next to q.
double log_gamma_ratio(double p, double q) {
  // Shift q to Stirling's range: Gamma(q) / Gamma(p + q) gains a factor (p + q + k) / (q + k)
  // per step, whose log1p form keeps a small p's digits.
  double shifted = 0;
  for (; q < kStirlingThreshold; q += 1) shifted += std::log1p(p / q);
  double sum = p + q;
  double correction = stirling_remainder(q) - stirling_remainder(sum);
  return shifted + correction + p - p * std::log(sum) + (q - 0.5) * std::log1p(-p / sum);
}

// log B(a, b) for a, b > 0.
double log_beta(double a, double b) {
  double small = std::min(a, b);
  double large = std::max(a, b);
  if (small < kStirlingThreshold) return std::lgamma(small) + log_gamma_ratio(small, large);
  double sum = small + large;
  double correction =
      stirling_remainder(small) + stirling_remainder(large) - stirling_remainder(sum);
  return -0.5 * std::log(large) + kHalfLog2Pi + correction + (small - 0.5) * std::log(small / sum) +
         large * std::log1p(-small / sum);
}

// log(x^a y^b / B(a, b)) with y = 1 - x (the smaller of x and y exact): the common factor of the
// beta density and of the incomplete beta's continued fraction. Symmetric under (x, a) <-> (y, b).
double log_power_terms(double x, double y, double a, double b) {
  if (std::min(a, b) < kStirlingThreshold) {
    return a * log_of_pair(x, y) + b * log_of_pair(y, x) - log_beta(a, b);
  }
  // Both shapes large: the density is a narrow peak at the mean x0 = a / (a + b), and a log x and
  // b log y are each thousands where their sum is a few units. Measure from the mean instead
  // (Temme's approach in spirit): with x = x0 (1 + s) and y = y0 (1 + t), a s + b t = 0, so the
  // exponent is a (log1p(s) - s) + b (log1p(t) - t), free of cancellation, and the
  // normalisation is Stirling's with its leading terms cancelled.
  double x0 = a / (a + b);
  double y0 = b / (a + b);
  double deviation = x <= 0.5 ? x - x0 : y0 - y;  // x - x0, from whichever of x, y is exact
  double s = deviation / x0;
  double t = -deviation / y0;
  double exponent = 0;
  if (std::max(std::abs(s), std::abs(t)) < 0.5) {
    exponent = a * log1p_minus_x(s) + b * log1p_minus_x(t);
  } else {  // far out in a tail, where relative accuracy of a tiny density is all that matters
    exponent = a * (log_of_pair(x, y) - std::log(x0)) + b * (log_of_pair(y, x) - std::log(y0));
  }
  double correction = stirling_remainder(a) + stirling_remainder(b) - stirling_remainder(a + b);
  return exponent + 0.5 * std::log(a * y0) - kHalfLog2Pi - correction;
}

// ---- Regularized incomplete beta ----------------------------------------------------------

// The fraction needs about 0.5 sqrt(min(a, b)) terms near the switch point below (4600 at 1e8);
// larger shapes go to the normal approximation, and the cap only guarantees termination.
constexpr int kMaxFractionTerms = 20'000;
constexpr double kLentzFloor = 1e-300;

// The k-th partial numerator of the continued fraction (DLMF 8.17.22)
//   I_x(a, b) = x^a y^b / (a B(a, b)) / (1 + d1 / (1 + d2 / (1 + ...))).
double fraction_coefficient(int k, double x, double a, double b) {
  double m = static_cast<double>(k / 2);  // d_2m and d_2m+1 share m
  // Products of ratios, so that a shape near the top of the double range cannot overflow.
  if (k % 2 == 0) return m / (a + 2 * m - 1) * ((b - m) / (a + 2 * m)) * x;
  return -((a + m) / (a + 2 * m)) * ((a + b + m) / (a + 2 * m + 1)) * x;
}

// The denominator 1 + d1 / (1 + d2 / (1 + ...)), by the modified Lentz method (Thompson and
// Barnett): forward evaluation with the ratios C and D, nudging zeros to a floor so no division
// blows up. For an integer b the coefficient d_2b is 0 and the fraction stops there exactly.
double beta_fraction(double x, double a, double b) {
  auto nudge = [](double v) { return std::abs(v) < kLentzFloor ? kLentzFloor : v; };
  double value = 1.0;
  double c = 1.0;
  double d = 0.0;
  for (int k = 1; k <= kMaxFractionTerms; ++k) {
    double coefficient = fraction_coefficient(k, x, a, b);
    d = 1.0 / nudge(1.0 + coefficient * d);
    c = nudge(1.0 + coefficient / c);
    double factor = c * d;
    value *= factor;
    if (std::abs(factor - 1.0) <= kEpsilon) break;
  }
  return value;
}

// I_x(a, b) from the continued fraction, for x at or below the switch point of incomplete_beta.
double incomplete_beta_by_fraction(double x, double y, double a, double b) {
  // Rounding can carry a value that is all but 1 (a shape of 1e-300) a few ulps past it.
  return std::min(1.0, std::exp(log_power_terms(x, y, a, b)) / (a * beta_fraction(x, a, b)));
}

// I_x(a, b) and 1 - I_x(a, b), each with its full relative accuracy where it is the smaller.
struct BetaTails {
  double lower;
  double upper;
};

// Both tails for 0 < x < 1, y = 1 - x, and positive finite shapes. The fraction converges fast
// below the switch point (a + 1) / (a + b + 2), near the mean; above it, it is used for the
// reflection 1 - I_x(a, b) = I_y(b, a).
BetaTails incomplete_beta(double x, double y, double a, double b) {
  if (x > (a + 1) / (a + b + 2)) {
    double upper = incomplete_beta_by_fraction(y, x, b, a);
    return {1.0 - upper, upper};
  }
  double lower = incomplete_beta_by_fraction(x, y, a, b);
  return {lower, 1.0 - lower};
}

// Where a zero or infinite shape concentrates all the mass (see the header).
std::optional<double> beta_point_mass(double a, double b) {
  bool a_vanishes = a == 0 || b == kInfinity;
  bool b_vanishes = b == 0 || a == kInfinity;
  if (a_vanishes && b_vanishes) return 0.5;
  if (a_vanishes) return 0.0;
  if (b_vanishes) return 1.0;
  return std::nullopt;
}

// Past this, both shapes are so large that the fraction would need tens of thousands of terms,
// and Beta(a, b) is the normal of its mean and variance to within 1e-9 absolute: the skewness is
// below 2 / sqrt(min(a, b)) and the standard deviation below 1 / sqrt(8 min(a, b)).
constexpr double kNormalShapeLimit = 1e9;

struct Moments {
  double mean;
  double sd;
};

Moments beta_moments(double a, double b) {
  double mean = a / (a + b);
  return {mean, std::sqrt(mean * (b / (a + b)) / (a + b + 1))};
}

// ---- Beta quantile ------------------------------------------------------------------------

// A first guess at the u-quantile, used only to start Newton's method.
double beta_initial_guess(double u, double a, double b) {
  if (a >= 1 && b >= 1) {
    // Abramowitz and Stegun 26.5.22: a normal approximation of the logit-like variable
    // log(x / y) / 2, corrected for skewness.
    double z = -standard_normal_ppf(u);  // the upper-tail normal quantile
    double lambda = (z * z - 3) / 6;
    double h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    double w = z * std::sqrt(h + lambda) / h -
               (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (lambda + 5.0 / 6 - 2 / (3 * h));
    return a / (a + b * std::exp(2 * w));
  }
  // A small shape puts the mass in power-law spikes at the ends: near 0 the cdf is about
  // x^a / (a B), near 1 one minus it is about y^b / (b B). Split u between the two spikes in
  // proportion to those approximations at the mean, and invert the one u falls in.
  double log_b = log_beta(a, b);
  double lower = std::exp(a * std::log(a / (a + b)) - log_b) / a;
  double upper = std::exp(b * std::log(b / (a + b)) - log_b) / b;
  if (u * (lower + upper) < lower) return std::exp((std::log(u * a) + log_b) / a);
  return -std::expm1((std::log1p(-u) + std::log(b) + log_b) / b);
}

// The middle of a bracket inside [0, 1]. Halving the logarithm when the bracket spans decades
// near 0 reaches a quantile like 1e-250 (shape 1e-3) in a dozen steps instead of a thousand.
double bracket_middle(double lo, double hi) {
  if (lo < hi * 1e-3) {
    double floor = std::max(lo, std::numeric_limits<double>::denorm_min());
    return std::exp(0.5 * (std::log(floor) + std::log(hi)));
  }
  return lo + 0.5 * (hi - lo);
}

// One Newton step towards I_x(a, b) = u. It works on the logarithm of the tail that holds u (the
// lower one for u <= 1/2, else the upper, whose target 1 - u is exact) as a function of the
// logarithm of x or of 1 - x, whichever is below 1/2. Near the ends the tails behave like powers
// of x or of 1 - x, which those logarithms turn into straight lines, so one step from far away
// lands close (a quantile of 1e-162 from a guess of 1e-130), and no step can leave (0, 1).
double newton_step(double x, double u, const BetaTails& tails, double a, double b) {
  bool lower = u <= 0.5;
  double tail = lower ? tails.lower : tails.upper;
  double target = lower ? u : 1.0 - u;
  double y = 1.0 - x;
  double log_terms = log_power_terms(x, y, a, b);  // log(x y density)
  double excess = std::log(tail) - std::log(target);
  if (x <= 0.5) {
    // |d log(tail) / d log x| = x density / tail; the lower tail grows with x, the upper shrinks.
    double change = excess * tail / std::exp(log_terms - std::log(y));
    return x * std::exp(lower ? -change : change);
  }
  double change = excess * tail / std::exp(log_terms - std::log(x));  // the same in log(1 - x)
  return 1.0 - y * std::exp(lower ? change : -change);
}

constexpr int kMaxQuantileIterations = 200;
constexpr double kQuantileTolerance = 1e-15;  // relative to x: a few ulps
constexpr double kNoiseFloor = 1e-11;         // relative steps below this are rounding noise

// Safeguarded Newton: every evaluation tightens a bracket [lo, hi] around the quantile, and a
// step that would leave it (or is not finite) is replaced by bisection, so convergence is
// guaranteed and usually quadratic. Once steps are tiny, a step that fails to halve the previous
// one means the cdf's own rounding has been reached, and further steps would only wander.
double beta_quantile(double u, double a, double b) {
  double lo = 0.0;
  double hi = 1.0;
  double x = std::clamp(beta_initial_guess(u, a, b), kLowestU, kHighestU);
  if (std::isnan(x)) x = 0.5;
  double previous_step = kInfinity;
  for (int i = 0; i < kMaxQuantileIterations; ++i) {
    // I_x(a, b) - u, from the upper tail when u is above 1/2: 1 - u is exact there, and the
    // cdf itself could not resolve u = 1 - 1e-12 to better than 1e-16 / density.
    BetaTails tails = incomplete_beta(x, 1.0 - x, a, b);
    double residual = u <= 0.5 ? tails.lower - u : (1.0 - u) - tails.upper;
    if (residual == 0) return x;
    (residual < 0 ? lo : hi) = x;
    double next = newton_step(x, u, tails, a, b);
    double step = std::abs(next - x);
    if (step <= kQuantileTolerance * x) return next;
    if (next > lo && next < hi) {
      if (step <= kNoiseFloor * x && step > 0.5 * previous_step) return next;
    } else {
      next = bracket_middle(lo, hi);
      if (!(next > lo && next < hi)) return hi;  // no double left between lo and hi
      step = std::abs(next - x);
    }
    previous_step = step;
    x = next;
  }
  return x;
}

}  // namespace

double round_half_even(double x) {
  // std::round takes halves away from zero in any rounding mode; only an exact half (which
  // needs |x| < 2^52, so x / 2 is exact) is redirected to the even neighbour 2 round(x / 2).
  double away = std::round(x);
  if (std::abs(away - x) != 0.5) return away;
  return 2.0 * std::round(x / 2.0);
}

double uniform_cdf(double x, double lo, double hi) {
  if (std::isnan(x) || std::isnan(lo) || std::isnan(hi)) return kNan;
  if (!(lo < hi)) return step_at(x, lo);
  return std::clamp((x - lo) / (hi - lo), 0.0, 1.0);
}

double uniform_ppf(double u, double lo, double hi) {
  if (std::isnan(lo) || std::isnan(hi)) return kNan;
  if (!(lo < hi)) return lo;
  return lo + clamp_quantile(u) * (hi - lo);
}

double normal_cdf(double x, double mu, double sigma) {
  sigma = clamp_shape(sigma);
  if (sigma == 0) return step_at(x, mu);
  // erfc rather than 1 + erf keeps full relative accuracy in the lower tail.
  return 0.5 * std::erfc((mu - x) / (sigma * std::numbers::sqrt2));
}

double normal_ppf(double u, double mu, double sigma) {
  sigma = clamp_shape(sigma);
  if (sigma == 0) return mu;
  return mu + sigma * standard_normal_ppf(clamp_quantile(u));
}

double lognormal_cdf(double x, double mu, double sigma) {
  sigma = clamp_shape(sigma);
  if (sigma == 0) return step_at(x, std::exp(mu));
  if (x <= 0) return 0.0;
  return normal_cdf(std::log(x), mu, sigma);
}

double lognormal_ppf(double u, double mu, double sigma) {
  return std::exp(normal_ppf(u, mu, sigma));
}

double beta_cdf(double x, double a, double b) {
  a = clamp_shape(a);
  b = clamp_shape(b);
  if (std::isnan(x) || std::isnan(a) || std::isnan(b)) return kNan;
  if (auto at = beta_point_mass(a, b)) return step_at(x, *at);
  if (x <= 0) return 0.0;
  if (x >= 1) return 1.0;
  if (std::min(a, b) > kNormalShapeLimit) {
    Moments m = beta_moments(a, b);
    return normal_cdf(x, m.mean, m.sd);
  }
  return incomplete_beta(x, 1.0 - x, a, b).lower;
}

double beta_ppf(double u, double a, double b) {
  a = clamp_shape(a);
  b = clamp_shape(b);
  if (std::isnan(a) || std::isnan(b)) return kNan;
  if (auto at = beta_point_mass(a, b)) return *at;
  if (std::min(a, b) > kNormalShapeLimit) {
    Moments m = beta_moments(a, b);
    return std::clamp(normal_ppf(u, m.mean, m.sd), 0.0, 1.0);
  }
  return beta_quantile(clamp_quantile(u), a, b);
}

}  // namespace labsweep::sweeps::probability
