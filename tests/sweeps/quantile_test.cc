#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sweeps/sampler.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::valid_spec;

Parameter only(const std::string& body) {
  SweepSpec spec = valid_spec("method: random\nprogram: t.py\nparameters:\n  p: " + body + "\n");
  return spec.parameters.empty() ? Parameter{} : spec.parameters[0];
}

bool is_discrete(const Parameter& p) {
  return p.distribution == Distribution::kConstant ||
         p.distribution == Distribution::kCategorical ||
         p.distribution == Distribution::kCategoricalWithProbabilities ||
         p.distribution == Distribution::kIntUniform || is_quantized(p.distribution);
}

// quantile_of inverts sample_at on every value sample_at gives: exactly (value and type) for
// the discrete distributions, to rounding for the continuous ones.
class QuantileRoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantileRoundTripTest, SampleAtTheQuantileGivesTheValueBack) {
  Parameter p = only(GetParam());
  for (uint64_t i = 0; i < 300; ++i) {
    Value v = sample_parameters({p}, 3, i)[0];
    std::optional<double> u = quantile_of(p, v);
    ASSERT_TRUE(u) << kind_name(v.kind());
    ASSERT_GE(*u, 0.0);
    ASSERT_LE(*u, 1.0);
    Value back = sample_at(p, std::clamp(*u, 1e-300, 1 - 1e-16));
    if (is_discrete(p)) {
      ASSERT_EQ(back, v) << "draw " << i << " u " << *u;
    } else {
      ASSERT_TRUE(back.is_float());
      ASSERT_NEAR(back.as_float(), v.as_float(), 1e-9 * std::max(1.0, std::abs(v.as_float())))
          << "draw " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryDistribution, QuantileRoundTripTest,
    ::testing::Values("{value: 3}", "{values: [a, 1, 2.5, true, [1, 2]]}",
                      "{values: [a, b, c], probabilities: [0.1, 0.6, 0.3]}", "{min: -3, max: 4}",
                      "{min: -1.5, max: 2.5}", "{distribution: q_uniform, min: 0, max: 10, q: 3}",
                      "{distribution: q_uniform, min: 0.5, max: 9.5}",
                      "{distribution: log_uniform, min: -5, max: 2}",
                      "{distribution: log_uniform_values, min: 1.0e-5, max: 1.0}",
                      "{distribution: inv_log_uniform, min: 0, max: 3}",
                      "{distribution: inv_log_uniform_values, min: 0.01, max: 100}",
                      "{distribution: q_log_uniform, min: 0, max: 5, q: 2}",
                      "{distribution: q_log_uniform_values, min: 1, max: 1000, q: 10}",
                      "{distribution: normal, mu: 2, sigma: 3}",
                      "{distribution: q_normal, mu: 0, sigma: 10, q: 4}",
                      "{distribution: log_normal, mu: 1, sigma: 0.5}",
                      "{distribution: q_log_normal, mu: 2, sigma: 1, q: 0.5}",
                      "{distribution: beta, a: 2, b: 3}",
                      "{distribution: q_beta, a: 0.5, b: 0.5, q: 0.1}"));

TEST(QuantileTest, DiscreteValuesSitInTheMiddleOfTheirCells) {
  Parameter cat = only("{values: [a, b, c, d]}");
  EXPECT_DOUBLE_EQ(*quantile_of(cat, Value("a")), 0.125);
  EXPECT_DOUBLE_EQ(*quantile_of(cat, Value("d")), 0.875);
  Parameter weighted = only("{values: [a, b, c], probabilities: [0.2, 0.5, 0.3]}");
  EXPECT_DOUBLE_EQ(*quantile_of(weighted, Value("a")), 0.1);
  EXPECT_DOUBLE_EQ(*quantile_of(weighted, Value("b")), 0.45);
  EXPECT_DOUBLE_EQ(*quantile_of(weighted, Value("c")), 0.85);
  Parameter ints = only("{min: 1, max: 4}");
  EXPECT_DOUBLE_EQ(*quantile_of(ints, Value(1)), 0.125);
  EXPECT_DOUBLE_EQ(*quantile_of(ints, Value(3)), 0.625);
  EXPECT_DOUBLE_EQ(*quantile_of(ints, Value(3.0)), 0.625);  // an int as a float reads the same
}

TEST(QuantileTest, ContinuousValuesAreTheirCdf) {
  EXPECT_DOUBLE_EQ(*quantile_of(only("{min: 2.0, max: 6.0}"), Value(3.0)), 0.25);
  EXPECT_NEAR(
      *quantile_of(only("{distribution: log_uniform_values, min: 1.0e-4, max: 1.0}"), Value(1e-2)),
      0.5, 1e-15);
  EXPECT_NEAR(*quantile_of(only("{distribution: normal, mu: 1, sigma: 2}"), Value(1.0)), 0.5,
              1e-15);
  EXPECT_NEAR(*quantile_of(only("{distribution: beta, a: 1, b: 1}"), Value(0.3)), 0.3, 1e-12);
}

TEST(QuantileTest, ValuesOutsideTheRangeAreClamped) {
  Parameter uniform = only("{min: 0.0, max: 1.0}");
  EXPECT_EQ(*quantile_of(uniform, Value(2.0)), 1.0);
  EXPECT_EQ(*quantile_of(uniform, Value(-1)), 0.0);
  Parameter ints = only("{min: 1, max: 4}");
  EXPECT_EQ(*quantile_of(ints, Value(100)), 1.0);
  EXPECT_EQ(*quantile_of(ints, Value(-100)), 0.0);
  Parameter log = only("{distribution: log_uniform_values, min: 1.0e-3, max: 1.0}");
  EXPECT_EQ(*quantile_of(log, Value(0.0)), 0.0);  // log(0) = -inf
  EXPECT_EQ(*quantile_of(log, Value(5.0)), 1.0);
}

TEST(QuantileTest, ValuesAParameterCannotHaveAreNullopt) {
  Parameter cat = only("{values: [a, b]}");
  EXPECT_EQ(quantile_of(cat, Value("z")), std::nullopt);
  EXPECT_EQ(quantile_of(cat, Value(1)), std::nullopt);
  Parameter weighted = only("{values: [1, 2], probabilities: [0.5, 0.5]}");
  EXPECT_EQ(quantile_of(weighted, Value(3)), std::nullopt);
  for (const char* body :
       {"{min: 0.0, max: 1.0}", "{min: 1, max: 4}", "{distribution: normal, mu: 0, sigma: 1}",
        "{distribution: log_uniform_values, min: 1.0e-3, max: 1.0}"}) {
    Parameter p = only(body);
    EXPECT_EQ(quantile_of(p, Value("0.5")), std::nullopt) << body;
    EXPECT_EQ(quantile_of(p, Value(true)), std::nullopt) << body;
    EXPECT_EQ(quantile_of(p, Value()), std::nullopt) << body;
    EXPECT_EQ(quantile_of(p, Value(List{})), std::nullopt) << body;
    EXPECT_EQ(quantile_of(p, Value(std::numeric_limits<double>::quiet_NaN())), std::nullopt)
        << body;
  }
  EXPECT_EQ(quantile_of(only("{min: 0.0, max: 1.0}"), Value(INFINITY)), std::nullopt);
  EXPECT_EQ(quantile_of(only("{distribution: log_normal, mu: 0, sigma: 1}"), Value(-1.0)), 0.0);
}

}  // namespace
}  // namespace labsweep::sweeps
