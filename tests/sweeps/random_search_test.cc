#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sweeps/sampler.h"
#include "sweeps/search/search_method.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::valid_spec;

Parameter only(const std::string& body) {
  SweepSpec spec = valid_spec("method: random\nprogram: t.py\nparameters:\n  p: " + body + "\n");
  return spec.parameters.empty() ? Parameter{} : spec.parameters[0];
}

std::vector<Value> draws(const Parameter& p, int n) {
  std::vector<Value> out;
  for (int i = 0; i < n; ++i) out.push_back(sample_parameters({p}, 7, static_cast<uint64_t>(i))[0]);
  return out;
}

TEST(RandomSearchTest, ReproducibleFromTheSeed) {
  SweepSpec spec = valid_spec(
      "method: random\nprogram: t.py\nparameters:\n  a: {min: 0.0, max: "
      "1.0}\n  b: {values: [x, y, z]}\n");
  auto one = make_search_method(spec, 42);
  auto two = make_search_method(spec, 42);
  auto other = make_search_method(spec, 43);
  ASSERT_TRUE(one.is_ok() && two.is_ok() && other.is_ok());
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    auto a = (*one)->next();
    auto b = (*two)->next();
    auto c = (*other)->next();
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->values, b->values);
    differs = differs || a->values != c->values;
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ((*one)->size(), std::nullopt);
}

TEST(RandomSearchTest, DrawKDependsOnlyOnSeedAndK) {
  SweepSpec spec = valid_spec(
      "method: random\nprogram: t.py\nparameters:\n  a: {min: 0.0, max: "
      "1.0}\n");
  auto method = make_search_method(spec, 5);
  ASSERT_TRUE(method.is_ok());
  (*method)->mark_used(0);
  (*method)->mark_used(1);
  auto s = (*method)->next();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2u);
  EXPECT_EQ(s->values, sample_parameters(spec.parameters, 5, 2));
}

TEST(RandomSearchTest, UnitIntervalIsOpen) {
  EXPECT_GT(unit_interval(0), 0.0);
  EXPECT_LT(unit_interval(~0ULL), 1.0);
}

TEST(RandomSearchTest, IntUniformIsInclusiveAndUniform) {
  std::map<int64_t, int> counts;
  for (const Value& v : draws(only("{min: 1, max: 4}"), 4000)) {
    ASSERT_TRUE(v.is_int());
    counts[v.as_int()]++;
  }
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts.begin()->first, 1);
  EXPECT_EQ(counts.rbegin()->first, 4);
  for (auto [value, n] : counts) EXPECT_NEAR(n, 1000, 150) << value;
}

TEST(RandomSearchTest, UniformIsFloatEvenWithIntBounds) {
  for (const Value& v : draws(only("{min: 0, max: 1, distribution: uniform}"), 200)) {
    ASSERT_TRUE(v.is_float());
    EXPECT_GE(v.as_float(), 0.0);
    EXPECT_LT(v.as_float(), 1.0);
  }
}

TEST(RandomSearchTest, QuantizedTypesFollowQ) {
  for (const Value& v : draws(only("{distribution: q_uniform, min: 0, max: 10}"), 50)) {
    ASSERT_TRUE(v.is_float());  // the omitted q is the float 1.0
    EXPECT_EQ(v.as_float(), std::round(v.as_float()));
  }
  for (const Value& v :
       draws(only("{distribution: q_log_uniform_values, min: 8, max: 256, q: 8}"), 200)) {
    ASSERT_TRUE(v.is_int());
    EXPECT_EQ(v.as_int() % 8, 0);
    EXPECT_GE(v.as_int(), 8);
    EXPECT_LE(v.as_int(), 256);
  }
}

TEST(RandomSearchTest, LogUniformValuesSpansDecades) {
  int below = 0;
  for (const Value& v :
       draws(only("{distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}"), 2000)) {
    ASSERT_GE(v.as_float(), 1e-5);
    ASSERT_LE(v.as_float(), 1e-1);
    below += v.as_float() < 1e-3;  // the median of a log-uniform on [1e-5, 1e-1]
  }
  EXPECT_NEAR(below, 1000, 120);
}

TEST(RandomSearchTest, DeprecatedLogFormsTakeExponents) {
  for (const Value& v : draws(only("{distribution: log_uniform, min: -11, max: -2}"), 100)) {
    EXPECT_GE(v.as_float(), std::exp(-11.0));
    EXPECT_LE(v.as_float(), std::exp(-2.0));
  }
  for (const Value& v : draws(only("{distribution: inv_log_uniform, min: 2, max: 11}"), 100)) {
    EXPECT_GE(v.as_float(), std::exp(-11.0));
    EXPECT_LE(v.as_float(), std::exp(-2.0));
  }
  for (const Value& v :
       draws(only("{distribution: inv_log_uniform_values, min: 0.001, max: 0.1}"), 100)) {
    EXPECT_GE(v.as_float(), 0.001);
    EXPECT_LE(v.as_float(), 0.1);
  }
}

TEST(RandomSearchTest, NormalHasItsMoments) {
  double sum = 0;
  double sum_sq = 0;
  const int n = 20000;
  for (const Value& v : draws(only("{distribution: normal, mu: 2, sigma: 3}"), n)) {
    sum += v.as_float();
    sum_sq += v.as_float() * v.as_float();
  }
  double mean = sum / n;
  EXPECT_NEAR(mean, 2.0, 0.1);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean), 3.0, 0.1);
}

TEST(RandomSearchTest, BetaStaysInTheUnitInterval) {
  double sum = 0;
  for (const Value& v : draws(only("{distribution: beta, a: 2, b: 5}"), 5000)) {
    ASSERT_GE(v.as_float(), 0.0);
    ASSERT_LE(v.as_float(), 1.0);
    sum += v.as_float();
  }
  EXPECT_NEAR(sum / 5000, 2.0 / 7.0, 0.02);
}

TEST(RandomSearchTest, CategoricalWithProbabilities) {
  std::map<std::string, int> counts;
  for (const Value& v : draws(only("{values: [a, b, c], probabilities: [0.1, 0.0, 0.9]}"), 5000)) {
    counts[v.as_string()]++;
  }
  EXPECT_EQ(counts["b"], 0);
  EXPECT_NEAR(counts["a"], 500, 100);
  EXPECT_NEAR(counts["c"], 4500, 100);
}

TEST(RandomSearchTest, SampleAtFollowsTheInverseCdf) {
  EXPECT_EQ(sample_at(only("{values: [a, b, c, d]}"), 0.26), Value("b"));
  EXPECT_EQ(sample_at(only("{min: 0, max: 9}"), 0.999), Value(9));
  EXPECT_EQ(sample_at(only("{min: 0.0, max: 10.0}"), 0.25), Value(2.5));
  EXPECT_EQ(sample_at(only("{value: [1, 2]}"), 0.5), Value(List{Value(1), Value(2)}));
  // numpy rounds half to even: 2.5 -> 2.
  EXPECT_EQ(sample_at(only("{distribution: q_uniform, min: 0, max: 10, q: 1}"), 0.25), Value(2));
}

}  // namespace
}  // namespace labsweep::sweeps
