#include "sweeps/analysis/parameter_feature.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace labsweep::sweeps::analysis {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

bool is_categorical(Distribution d) {
  return d == Distribution::kCategorical || d == Distribution::kCategoricalWithProbabilities;
}

// The distributions whose values spread over orders of magnitude: W&B draws them as the
// exponential of a uniform or normal variable.
bool is_log_scaled(Distribution d) {
  switch (d) {
    case Distribution::kLogUniform:
    case Distribution::kLogUniformValues:
    case Distribution::kInvLogUniform:
    case Distribution::kInvLogUniformValues:
    case Distribution::kQLogUniform:
    case Distribution::kQLogUniformValues:
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view scale_name(Scale scale) {
  switch (scale) {
    case Scale::kLinear:
      return "linear";
    case Scale::kLog:
      return "log";
    case Scale::kCategorical:
      return "categorical";
  }
  return "linear";
}

bool varies(const Parameter& p) {
  if (p.distribution == Distribution::kConstant) return false;
  return !is_categorical(p.distribution) || p.values.size() > 1;
}

ParameterFeature::ParameterFeature(const Parameter& p) : p_(&p) {
  if (is_categorical(p.distribution)) {
    scale_ = Scale::kCategorical;
    ordered_ =
        std::all_of(p.values.begin(), p.values.end(), [](const Value& v) { return v.is_number(); });
  } else if (is_log_scaled(p.distribution)) {
    scale_ = Scale::kLog;
  }
}

double ParameterFeature::encode(const Value& v) const {
  if (scale_ == Scale::kCategorical && !ordered_) {
    auto it = std::find(p_->values.begin(), p_->values.end(), v);
    return it == p_->values.end() ? kNan : static_cast<double>(it - p_->values.begin());
  }
  if (!v.is_number()) return kNan;
  const double x = v.as_number();
  if (scale_ == Scale::kLog) return x > 0 ? std::log(x) : kNan;
  return std::isfinite(x) ? x : kNan;
}

}  // namespace labsweep::sweeps::analysis
