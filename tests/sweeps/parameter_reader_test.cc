#include "sweeps/parameter_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::errors_of;
using labsweep::testing::valid_spec;
using labsweep::testing::warnings_of;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string sweep(const std::string& parameters, const std::string& method = "random") {
  return "method: " + method + "\nprogram: t.py\nparameters:\n" + parameters;
}

Parameter only(const std::string& body) {
  SweepSpec spec = valid_spec(sweep("  p: " + body + "\n"));
  EXPECT_EQ(spec.parameters.size(), 1u);
  return spec.parameters.empty() ? Parameter{} : spec.parameters[0];
}

TEST(ParameterReaderTest, InfersTheDistributionInFirstMatchOrder) {
  EXPECT_EQ(only("{value: 3}").distribution, Distribution::kConstant);
  EXPECT_EQ(only("{value: {parameters: 1}}").distribution, Distribution::kConstant);
  EXPECT_EQ(only("{values: [1, 2]}").distribution, Distribution::kCategorical);
  EXPECT_EQ(only("{values: [1, 2], probabilities: [0.5, 0.5]}").distribution,
            Distribution::kCategoricalWithProbabilities);
  EXPECT_EQ(only("{min: 1, max: 10}").distribution, Distribution::kIntUniform);
  EXPECT_EQ(only("{min: 0.1, max: 1.0}").distribution, Distribution::kUniform);
  EXPECT_EQ(only("{min: 0, max: 1, distribution: uniform}").distribution, Distribution::kUniform);
  EXPECT_EQ(only("{distribution: normal}").distribution, Distribution::kNormal);
}

TEST(ParameterReaderTest, FillsDefaults) {
  Parameter q = only("{distribution: q_uniform, min: 0, max: 10}");
  EXPECT_EQ(q.q, Value(1.0));  // a float: samples and grid values are floats
  Parameter n = only("{distribution: normal}");
  EXPECT_EQ(n.mu, 0.0);
  EXPECT_EQ(n.sigma, 1.0);
  Parameter b = only("{distribution: beta}");
  EXPECT_EQ(b.a, 1.0);
  EXPECT_EQ(b.b, 1.0);
  Parameter qi = only("{distribution: q_log_uniform_values, min: 8, max: 256, q: 8}");
  EXPECT_EQ(qi.q, Value(8));
}

TEST(ParameterReaderTest, EveryDistributionReads) {
  for (const DistributionSchema& s : all_distributions()) {
    std::string body = "{distribution: " + std::string(s.name);
    if (s.distribution == Distribution::kConstant) body += ", value: 1";
    if (s.distribution == Distribution::kCategorical) body += ", values: [1]";
    if (s.distribution == Distribution::kCategoricalWithProbabilities) {
      body += ", values: [1], probabilities: [1.0]";
    }
    for (std::string_view k : s.required) {
      if (k == "min") body += ", min: 1";
      if (k == "max") body += ", max: 5";
    }
    EXPECT_EQ(only(body + "}").distribution, s.distribution) << s.name;
  }
}

TEST(ParameterReaderTest, SchemaTableIsInEnumOrder) {
  auto all = all_distributions();
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(all[i].distribution), i);
    EXPECT_EQ(distribution_from_name(all[i].name), all[i].distribution);
  }
}

TEST(ParameterReaderTest, MinMustBeLessThanMax) {
  EXPECT_THAT(errors_of(sweep("  lr: {min: 0.5, max: 0.1}\n")),
              ElementsAre("4:13: parameter 'lr': min 0.5 is not less than max 0.1"));
  EXPECT_THAT(errors_of(sweep("  n: {min: 3, max: 3}\n")),
              ElementsAre("4:12: parameter 'n': min 3 is not less than max 3"));
}

TEST(ParameterReaderTest, IntUniformNeedsIntegers) {
  EXPECT_THAT(errors_of(sweep("  n: {distribution: int_uniform, min: 0.0, max: 10}\n")),
              ElementsAre("4:39: parameter 'n': min 0.0 is not of type 'integer'"));
}

TEST(ParameterReaderTest, MixedIntAndFloatBoundsWarnAsWAndBsCliRejectsThem) {
  EXPECT_EQ(only("{min: 0, max: 0.5}").distribution, Distribution::kUniform);
  EXPECT_THAT(warnings_of(sweep("  p: {min: 0, max: 0.5}\n")),
              ElementsAre("4:3: parameter 'p': min 0 and max 0.5 mix an integer and a float; "
                          "labsweep reads a uniform distribution, but W&B's CLI rejects this as "
                          "ambiguous: write both as floats or add 'distribution: uniform'"));
  EXPECT_THAT(warnings_of(sweep("  p: {min: 0, max: 0.5, distribution: uniform}\n")), IsEmpty());
}

TEST(ParameterReaderTest, UnknownKeysMatchNoDefinition) {
  EXPECT_THAT(errors_of(sweep("  lr: {min: 0.1, max: 1.0, q: 0.1}\n")),
              ElementsAre("4:28: parameter 'lr': invalid hyperparameter configuration: 'q' is not "
                          "a property of a uniform parameter"));
  EXPECT_THAT(errors_of(sweep("  lr: {values: [1], value: 2}\n")),
              ElementsAre("4:8: parameter 'lr': invalid hyperparameter configuration: 'values' is "
                          "not a property of a constant parameter"));
  EXPECT_THAT(
      errors_of(sweep("  lr: {values: [1], distribution: uniform}\n")),
      ElementsAre("4:8: parameter 'lr': invalid hyperparameter configuration: 'values' "
                  "is not a property of a uniform parameter",
                  "4:3: parameter 'lr': 'min' is a required property of a uniform parameter",
                  "4:3: parameter 'lr': 'max' is a required property of a uniform "
                  "parameter"));
}

TEST(ParameterReaderTest, UnknownDistribution) {
  auto errors = errors_of(sweep("  lr: {distribution: loguniform, min: 1, max: 2}\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("4:22: parameter 'lr': 'loguniform' is not one of "
                                               "['constant', 'categorical', "));
}

TEST(ParameterReaderTest, NoRecognisableForm) {
  EXPECT_THAT(errors_of(sweep("  lr: {mu: 0}\n")),
              ElementsAre("4:3: parameter 'lr': invalid hyperparameter configuration: its keys "
                          "match no distribution (give 'value', 'values', 'min' and 'max', or a "
                          "'distribution')"));
  EXPECT_THAT(errors_of(sweep("  lr: 0.1\n")),
              ElementsAre("4:7: Invalid configuration for hyperparameter 'lr': expected a mapping "
                          "such as {values: [...]}, got number"));
  EXPECT_THAT(errors_of(sweep("  lr: {min: '0.1', max: 1.0}\n")),
              ElementsAre("4:13: parameter 'lr': '0.1' is not of type 'number'"));
}

TEST(ParameterReaderTest, RangeChecks) {
  EXPECT_THAT(errors_of(sweep("  a: {distribution: normal, sigma: -1}\n")),
              ElementsAre("4:36: parameter 'a': sigma -1 must be at least 0.0"));
  EXPECT_THAT(errors_of(sweep("  a: {distribution: q_uniform, min: 0, max: 1, q: 0}\n")),
              ElementsAre("4:51: parameter 'a': q 0 must be greater than 0.0"));
  EXPECT_THAT(errors_of(sweep("  a: {distribution: log_uniform_values, min: 0, max: 1}\n")),
              ElementsAre("4:46: parameter 'a': min 0 must be greater than 0 for "
                          "log_uniform_values"));
  EXPECT_THAT(errors_of(sweep("  a: {distribution: beta, a: -2}\n")),
              ElementsAre("4:30: parameter 'a': a -2 must be at least 0.0"));
  EXPECT_THAT(errors_of(sweep("  a: {values: []}\n")),
              ElementsAre("4:15: parameter 'a': values must be a non-empty list, not []"));
}

TEST(ParameterReaderTest, Probabilities) {
  EXPECT_THAT(errors_of(sweep("  a: {values: [1, 2], probabilities: [0.5]}\n")),
              ElementsAre("4:38: parameter 'a': values [1, 2] and probabilities [0.5] are not the "
                          "same length"));
  EXPECT_THAT(errors_of(sweep("  a: {values: [1, 2], probabilities: [0.5, 0.6]}\n")),
              ElementsAre("4:38: parameter 'a': Probabilities [0.5, 0.6] do not sum to 1"));
  EXPECT_THAT(errors_of(sweep("  a: {values: [1, 2], probabilities: [1.5, -0.5]}\n")),
              ElementsAre("4:38: parameter 'a': probabilities must be a list of numbers that are "
                          "at least 0"));
  EXPECT_EQ(only("{values: [1, 2, 3], probabilities: [0.3333333, 0.3333333, 0.3333334]}")
                .probabilities.size(),
            3u);
}

TEST(ParameterReaderTest, DeprecatedLogFormsWarn) {
  EXPECT_THAT(warnings_of(sweep("  lr: {distribution: log_uniform, min: -11, max: -2}\n")),
              ElementsAre("4:3: lr uses log_uniform, where min/max specify base-e exponents. Use "
                          "log_uniform_values to specify limit values."));
}

TEST(ParameterReaderTest, NamesFollowThePattern) {
  EXPECT_THAT(errors_of(sweep("  model/lr: {value: 1}\n")),
              ElementsAre("4:3: parameter name 'model/lr' does not match "
                          "'^[A-Za-z_][A-Za-z0-9_.-]*$' (letters, digits, _ . and -, not starting "
                          "with a digit)"));
  EXPECT_THAT(errors_of(sweep("  1lr: {value: 1}\n")).size(), 1u);
  EXPECT_EQ(valid_spec(sweep("  model.lr: {value: 1}\n  a-b_c: {value: 2}\n")).parameters.size(),
            2u);
}

TEST(ParameterReaderTest, NestedGroupsFlattenSortedAtEveryLevel) {
  SweepSpec spec =
      valid_spec(sweep("  optimizer:\n"
                       "    parameters:\n"
                       "      name: {value: nadam}\n"
                       "      nadam:\n"
                       "        parameters:\n"
                       "          beta: {values: [0.9, 0.99]}\n"
                       "      lr: {values: [0.1, 0.01]}\n"
                       "  batch_size: {value: 32}\n"));
  std::vector<std::string> names;
  for (const Parameter& p : spec.parameters) names.push_back(p.name());
  EXPECT_THAT(names,
              ElementsAre("batch_size", "optimizer.lr", "optimizer.nadam.beta", "optimizer.name"));
}

TEST(ParameterReaderTest, MalformedNestedGroup) {
  EXPECT_THAT(errors_of(sweep("  opt: {parameters: {lr: {value: 1}}, value: 3}\n")),
              ElementsAre("4:3: parameter 'opt': a nested group must hold only 'parameters', a "
                          "non-empty mapping of parameters"));
  EXPECT_THAT(errors_of(sweep("  opt: {parameters: {lr: {values: []}}}\n")),
              ElementsAre("4:35: parameter 'opt.lr': values must be a non-empty list, not []"));
}

TEST(ParameterReaderTest, ReportsEveryBadParameterAtOnce) {
  EXPECT_EQ(errors_of(sweep("  a: {min: 2, max: 1}\n  b: {values: []}\n  c: 7\n")).size(), 3u);
}

}  // namespace
}  // namespace labsweep::sweeps
