#include "sweeps/search/tpe_encoding.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sweeps/probability.h"
#include "sweeps/sampler.h"

namespace labsweep::sweeps {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double rhe(double x) { return probability::round_half_even(x); }

double bound(const Value& v) { return v.is_null() ? 0 : v.as_number(); }

// The value of `steps` multiples of q, typed as sample_at types a quantized draw.
Value multiple_of_q(double steps, const Value& q) {
  if (q.is_int()) {
    double v = steps * static_cast<double>(q.as_int());
    if (std::abs(v) < 9.2e18) return Value(static_cast<int64_t>(v));
  }
  return Value(steps * q.as_number());
}

}  // namespace

TpeEncoding::TpeEncoding(const Parameter& p) : p_(&p) {
  double lo = bound(p.min);
  double hi = bound(p.max);
  double q = p.q.is_number() ? p.q.as_number() : 1.0;
  switch (p.distribution) {
    case Distribution::kConstant:
      kind_ = Kind::kConstant;
      return;
    case Distribution::kCategorical:
      kind_ = Kind::kCategorical;
      return;
    case Distribution::kIntUniform:
      model_steps(lo, hi, false);
      return;
    case Distribution::kUniform:
      model_range(lo, hi, false);
      return;
    case Distribution::kQUniform:
      model_steps(rhe(lo / q), rhe(hi / q), false);
      return;
    case Distribution::kLogUniformValues:
    case Distribution::kInvLogUniformValues:
      model_range(lo, hi, true);
      return;
    case Distribution::kLogUniform:
      model_range(std::exp(lo), std::exp(hi), true);
      return;
    case Distribution::kInvLogUniform:
      model_range(std::exp(-hi), std::exp(-lo), true);
      return;
    case Distribution::kQLogUniformValues:
      model_steps(rhe(lo / q), rhe(hi / q), true);
      return;
    case Distribution::kQLogUniform:
      model_steps(rhe(std::exp(lo) / q), rhe(std::exp(hi) / q), true);
      return;
    default:
      model_quantile();
      return;
  }
}

// Optuna's FloatDistribution(lo, hi, log): kernels over the value or its logarithm.
void TpeEncoding::model_range(double lo, double hi, bool log) {
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi) || (log && lo <= 0)) {
    return model_quantile();
  }
  kind_ = Kind::kNumeric;
  unit_ = Unit::kValue;
  log_ = log;
  lo_ = lo;
  hi_ = hi;
  space_ = log ? ParzenSpace{std::log(lo), std::log(hi), 0} : ParzenSpace{lo, hi, 0};
}

// Optuna's IntDistribution(lo, hi) over the count of steps: stepped cells, or with log a
// continuous model of the logarithm from half a step below to half a step above.
void TpeEncoding::model_steps(double lo, double hi, bool log) {
  if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi) || (log && lo < 1)) {
    return model_quantile();
  }
  kind_ = Kind::kNumeric;
  unit_ = Unit::kSteps;
  log_ = log;
  lo_ = lo;
  hi_ = hi;
  space_ = log ? ParzenSpace{std::log(lo - 0.5), std::log(hi + 0.5), 0}
               : ParzenSpace{lo - 0.5, hi + 0.5, 1};
}

// The distributions Optuna lacks: a continuous model of the quantile.
void TpeEncoding::model_quantile() {
  kind_ = Kind::kNumeric;
  unit_ = Unit::kQuantile;
  log_ = false;
  lo_ = 0;
  hi_ = 1;
  space_ = ParzenSpace{0, 1, 0};
}

double TpeEncoding::to_model(double internal) const { return log_ ? std::log(internal) : internal; }

double TpeEncoding::clip(double internal) const { return std::clamp(internal, lo_, hi_); }

double TpeEncoding::encode(const Value& v) const {
  switch (kind_) {
    case Kind::kConstant:
      return 0;
    case Kind::kCategorical: {
      auto it = std::find(p_->values.begin(), p_->values.end(), v);
      return it == p_->values.end() ? kNan : static_cast<double>(it - p_->values.begin());
    }
    case Kind::kNumeric:
      break;
  }
  if (unit_ == Unit::kQuantile) return quantile_of(*p_, v).value_or(kNan);
  if (!v.is_number() || !std::isfinite(v.as_number())) return kNan;
  double x = v.as_number();
  if (unit_ == Unit::kSteps && p_->distribution != Distribution::kIntUniform) {
    x = rhe(x / p_->q.as_number());
  }
  if (log_ && x <= 0) return kNan;
  return to_model(clip(unit_ == Unit::kSteps ? rhe(x) : x));
}

double TpeEncoding::snap(double y) const {
  if (unit_ != Unit::kSteps) return clip(log_ ? std::exp(y) : y);
  // Optuna's round((y - low) / step) * step + low with a step of 1, or round(exp(y)) for log.
  return clip(log_ ? rhe(std::exp(y)) : rhe(y - lo_) + lo_);
}

Value TpeEncoding::decode(double x) const {
  switch (kind_) {
    case Kind::kConstant:
      return p_->value;
    case Kind::kCategorical:
      return p_->values[std::min(static_cast<size_t>(std::max(x, 0.0)), choices() - 1)];
    case Kind::kNumeric:
      break;
  }
  switch (unit_) {
    case Unit::kQuantile:
      return sample_at(*p_, std::clamp(x, 0x1.0p-53, 1 - 0x1.0p-53));
    case Unit::kValue:
      return Value(clip(x));
    case Unit::kSteps:
      break;
  }
  double steps = clip(rhe(x));
  if (p_->distribution != Distribution::kIntUniform) return multiple_of_q(steps, p_->q);
  int64_t lo = p_->min.as_int();
  int64_t hi = p_->max.as_int();
  if (steps <= static_cast<double>(lo)) return Value(lo);
  if (steps >= static_cast<double>(hi)) return Value(hi);
  return Value(static_cast<int64_t>(steps));
}

}  // namespace labsweep::sweeps
