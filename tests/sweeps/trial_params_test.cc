#include "sweeps/trial_params.h"

#include <gtest/gtest.h>

#include "sweeps/python_format.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

TEST(TrialParamsTest, FlatParametersInSortedOrder) {
  SweepSpec spec = labsweep::testing::valid_spec(
      "method: grid\nprogram: t.py\nparameters:\n  z: {value: 1}\n  a: {value: 2}\n");
  Value config = nest_parameters(spec.parameters, {Value(2), Value(1)});
  EXPECT_EQ(python_str(config), "{'a': 2, 'z': 1}");
}

TEST(TrialParamsTest, GroupsBecomeMapsAtEveryLevel) {
  SweepSpec spec = labsweep::testing::valid_spec(
      "method: grid\nprogram: t.py\nparameters:\n"
      "  m:\n    parameters:\n      k:\n        parameters:\n          x: {value: 1}\n"
      "      j: {value: 2}\n"
      "  b: {value: 3}\n"
      "  m.flat: {value: 4}\n");
  std::vector<Value> values;
  for (const Parameter& p : spec.parameters) values.push_back(p.value);
  EXPECT_EQ(python_str(nest_parameters(spec.parameters, values)),
            "{'b': 3, 'm': {'j': 2, 'k': {'x': 1}}, 'm.flat': 4}");
}

}  // namespace
}  // namespace labsweep::sweeps
