#pragma once

// One hyperparameter of a sweep after reading: a leaf of the `parameters:` tree, with nested
// groups flattened into its path.

#include <string>
#include <vector>

#include "sweeps/distribution.h"
#include "sweeps/source_location.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

struct Parameter {
  std::vector<std::string> path;  // {"optimizer", "lr"} for a nested group; {"lr"} otherwise
  Distribution distribution = Distribution::kConstant;
  SourceLocation where;

  Value value;  // constant
  List values;  // categorical, categorical_w_probabilities: as written
  std::vector<double> probabilities;
  Value min;  // int or float, as written: the output type of a sample follows it
  Value max;
  Value q{1.0};  // W&B fills an omitted q with the float 1.0, which makes samples floats
  double mu = 0.0;
  double sigma = 1.0;
  double a = 1.0;
  double b = 1.0;

  // The dotted path, as messages and tables show it.
  std::string name() const;
};

}  // namespace labsweep::sweeps
