#include "sweeps/sampler.h"

#include <algorithm>
#include <cmath>

#include "sweeps/probability.h"

namespace labsweep::sweeps {
namespace {

namespace prob = probability;

double lerp(double lo, double hi, double u) { return lo + u * (hi - lo); }

// round(x / q) * q with numpy's half-to-even rounding; an int when q is an int.
Value quantize(double x, const Value& q) {
  double steps = prob::round_half_even(x / q.as_number());
  if (q.is_int()) {
    double v = steps * static_cast<double>(q.as_int());
    if (std::abs(v) < 9.2e18) return Value(static_cast<int64_t>(v));
  }
  return Value(steps * q.as_number());
}

size_t index_at(size_t n, double u) {
  return std::min(n - 1, static_cast<size_t>(u * static_cast<double>(n)));
}

size_t weighted_index_at(const std::vector<double>& probabilities, double u) {
  double cumulative = 0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    cumulative += probabilities[i];
    if (cumulative > u) return i;
  }
  return probabilities.size() - 1;  // the sum may fall short of 1 by rounding
}

// The continuous value before quantization, for the distributions that have one.
double continuous_at(const Parameter& p, double u) {
  double lo = p.min.is_null() ? 0 : p.min.as_number();
  double hi = p.max.is_null() ? 0 : p.max.as_number();
  switch (p.distribution) {
    case Distribution::kUniform:
    case Distribution::kQUniform:
      return lerp(lo, hi, u);
    case Distribution::kLogUniform:
    case Distribution::kQLogUniform:
      return std::exp(lerp(lo, hi, u));
    case Distribution::kLogUniformValues:
    case Distribution::kQLogUniformValues:
      return std::exp(lerp(std::log(lo), std::log(hi), u));
    case Distribution::kInvLogUniform:
      return std::exp(-lerp(lo, hi, u));
    case Distribution::kInvLogUniformValues:
      return std::exp(-lerp(-std::log(hi), -std::log(lo), u));
    case Distribution::kNormal:
    case Distribution::kQNormal:
      return prob::normal_ppf(u, p.mu, p.sigma);
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      return prob::lognormal_ppf(u, p.mu, p.sigma);
    case Distribution::kBeta:
    case Distribution::kQBeta:
      return prob::beta_ppf(u, p.a, p.b);
    default:
      return 0;  // discrete distributions are handled by sample_at
  }
}

std::optional<size_t> index_of(const List& values, const Value& v) {
  auto it = std::find(values.begin(), values.end(), v);
  if (it == values.end()) return std::nullopt;
  return static_cast<size_t>(it - values.begin());
}

// The inverse of continuous_at: the quantile of an unquantized value.
double continuous_quantile(const Parameter& p, double x) {
  double lo = p.min.is_null() ? 0 : p.min.as_number();
  double hi = p.max.is_null() ? 0 : p.max.as_number();
  auto fraction = [](double lo, double hi, double t) {
    return hi > lo ? (t - lo) / (hi - lo) : 0.5;
  };
  switch (p.distribution) {
    case Distribution::kUniform:
    case Distribution::kQUniform:
      return fraction(lo, hi, x);
    case Distribution::kLogUniform:
    case Distribution::kQLogUniform:
      return fraction(lo, hi, std::log(x));
    case Distribution::kLogUniformValues:
    case Distribution::kQLogUniformValues:
      return fraction(std::log(lo), std::log(hi), std::log(x));
    case Distribution::kInvLogUniform:
      return fraction(lo, hi, -std::log(x));
    case Distribution::kInvLogUniformValues:
      return fraction(-std::log(hi), -std::log(lo), -std::log(x));
    case Distribution::kNormal:
    case Distribution::kQNormal:
      return prob::normal_cdf(x, p.mu, p.sigma);
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      return prob::lognormal_cdf(x, p.mu, p.sigma);
    case Distribution::kBeta:
    case Distribution::kQBeta:
      return prob::beta_cdf(x, p.a, p.b);
    default:
      return 0.5;
  }
}

}  // namespace

std::optional<double> quantile_of(const Parameter& p, const Value& v) {
  switch (p.distribution) {
    case Distribution::kConstant:
      return 0.5;
    case Distribution::kCategorical: {
      std::optional<size_t> i = index_of(p.values, v);
      if (!i) return std::nullopt;
      return (static_cast<double>(*i) + 0.5) / static_cast<double>(p.values.size());
    }
    case Distribution::kCategoricalWithProbabilities: {
      std::optional<size_t> i = index_of(p.values, v);
      if (!i) return std::nullopt;
      double below = 0;
      for (size_t k = 0; k < *i; ++k) below += p.probabilities[k];
      return std::clamp(below + p.probabilities[*i] / 2, 0.0, 1.0);
    }
    case Distribution::kIntUniform: {
      if (!v.is_number() || !std::isfinite(v.as_number())) return std::nullopt;
      double lo = p.min.as_number();
      double cells = p.max.as_number() - lo + 1;
      return std::clamp((std::round(v.as_number()) - lo + 0.5) / cells, 0.0, 1.0);
    }
    default: {
      if (!v.is_number() || !std::isfinite(v.as_number())) return std::nullopt;
      double u = continuous_quantile(p, v.as_number());
      if (std::isnan(u)) return std::nullopt;
      return std::clamp(u, 0.0, 1.0);
    }
  }
}

Value sample_at(const Parameter& p, double u) {
  switch (p.distribution) {
    case Distribution::kConstant:
      return p.value;
    case Distribution::kCategorical:
      return p.values[index_at(p.values.size(), u)];
    case Distribution::kCategoricalWithProbabilities:
      return p.values[weighted_index_at(p.probabilities, u)];
    case Distribution::kIntUniform: {
      uint64_t span = static_cast<uint64_t>(p.max.as_int()) - static_cast<uint64_t>(p.min.as_int());
      double scaled = u * (static_cast<double>(span) + 1.0);
      // Converting a double at or past 2^64 is undefined; such a draw is the top of the range.
      uint64_t offset = scaled < 0x1.0p64 ? static_cast<uint64_t>(scaled) : span;
      return Value(
          static_cast<int64_t>(static_cast<uint64_t>(p.min.as_int()) + std::min(offset, span)));
    }
    default: {
      double x = continuous_at(p, u);
      return is_quantized(p.distribution) ? quantize(x, p.q) : Value(x);
    }
  }
}

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double unit_interval(uint64_t bits) {
  // 52 bits and half a step: the largest result, 1 - 2^-53, is a double below 1.
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}

std::vector<Value> sample_parameters(const std::vector<Parameter>& parameters, uint64_t seed,
                                     uint64_t index) {
  // Counter-based: quantile j of draw `index` hashes (seed, index, j), so draws need no state.
  uint64_t stream = mix64(mix64(seed) ^ index);
  std::vector<Value> values;
  values.reserve(parameters.size());
  for (size_t j = 0; j < parameters.size(); ++j) {
    values.push_back(sample_at(parameters[j], unit_interval(mix64(stream + j))));
  }
  return values;
}

}  // namespace labsweep::sweeps
