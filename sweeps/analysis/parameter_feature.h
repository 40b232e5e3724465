#pragma once

// How the analyses (parameter importance, the dashboard's axes) read one parameter: on which
// scale its values lie, and the number a value becomes. Log-distributed parameters are read as
// their logarithm; categorical ones by their index in the sweep file's list, or by their value
// when every value is a number (batch sizes), so that their order still means something.

#include <cstddef>

#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps::analysis {

enum class Scale { kLinear, kLog, kCategorical };

// "linear", "log", "categorical".
std::string_view scale_name(Scale scale);

// Whether the parameter can take more than one value (constants and one-value lists cannot).
bool varies(const Parameter& p);

class ParameterFeature {
 public:
  // `p` must outlive the feature.
  explicit ParameterFeature(const Parameter& p);

  Scale scale() const { return scale_; }
  // Whether the order of encoded values means something; false for categorical values that
  // are not all numbers, whose indices are in file order.
  bool ordered() const { return ordered_; }

  // The number `v` stands for: its logarithm (kLog), its index or numeric value
  // (kCategorical), or itself; NaN when `v` is not a value of the parameter.
  double encode(const Value& v) const;

 private:
  const Parameter* p_;
  Scale scale_ = Scale::kLinear;
  bool ordered_ = true;
};

}  // namespace labsweep::sweeps::analysis
