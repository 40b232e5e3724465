#pragma once

// How tpe search models each parameter of a sweep: as the Optuna distribution that matches it
// (a float or int range, log-scaled or stepped, or a categorical), or, for the distributions
// Optuna has no equivalent of, as the parameter's quantile in [0, 1] (see docs/sweep-file.md).

#include <cstddef>

#include "sweeps/parameter.h"
#include "sweeps/search/parzen_estimator.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

class TpeEncoding {
 public:
  enum class Kind { kConstant, kNumeric, kCategorical };

  // `p` must outlive the encoding.
  explicit TpeEncoding(const Parameter& p);

  Kind kind() const { return kind_; }
  // kNumeric: where the kernels live.
  const ParzenSpace& space() const { return space_; }
  // kCategorical: how many values there are.
  size_t choices() const { return p_->values.size(); }

  // Where `v` lies in the modelled space (kCategorical: its index), or NaN when it cannot be a
  // value of the parameter. A number outside the range is taken as the nearest end.
  double encode(const Value& v) const;

  // kNumeric: the point a draw from the model at `y` stands for, as Optuna rounds and clips it
  // (on the grid of a discrete parameter, within the range of every one), in the unit the
  // parameter is counted in: its value, its count of steps q, or its quantile.
  double snap(double y) const;
  // kNumeric: where a snapped point lies in the modelled space.
  double to_model(double snapped) const;

  // The value at a snapped point (kCategorical: at an index), with the output type sample_at
  // gives; kConstant: the constant.
  Value decode(double snapped) const;

 private:
  // The modelled quantity: the value itself, its count of steps q (q forms and int_uniform,
  // where q is 1), or its quantile.
  enum class Unit { kValue, kSteps, kQuantile };

  void model_range(double lo, double hi, bool log);
  void model_steps(double lo, double hi, bool log);
  void model_quantile();
  double clip(double internal) const;

  const Parameter* p_;
  Kind kind_ = Kind::kConstant;
  Unit unit_ = Unit::kValue;
  bool log_ = false;
  double lo_ = 0;  // the extreme internal values (values, step counts or quantiles)
  double hi_ = 0;
  ParzenSpace space_;
};

}  // namespace labsweep::sweeps
