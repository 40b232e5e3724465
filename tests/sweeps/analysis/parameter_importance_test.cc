// Parameter importance on sweeps whose answer is known: the objective depends on one parameter
// strongly, on another weakly, and on the rest not at all.

#include "sweeps/analysis/parameter_importance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sweeps/analysis/parameter_feature.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps::analysis {
namespace {

using labsweep::testing::valid_spec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

SweepSpec spec_of(const std::string& parameters) {
  return valid_spec(
      "method: random\nprogram: t.py\nmetric: {name: loss, goal: minimize}\n"
      "parameters:\n" +
      parameters);
}

constexpr const char* kThree = R"(  x1: {min: 0.0, max: 1.0}
  x2: {min: 0.0, max: 1.0}
  x3: {min: 0.0, max: 1.0}
)";

// `n` trials with uniform x1, x2, x3 and the objective `f(x1, x2, x3)`.
std::vector<TrialSample> uniform_trials(size_t n,
                                        const std::function<double(double, double, double)>& f,
                                        uint64_t seed = 11) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<TrialSample> trials;
  for (size_t i = 0; i < n; ++i) {
    double a = unit(gen), b = unit(gen), c = unit(gen);
    trials.push_back({{Value(a), Value(b), Value(c)}, f(a, b, c)});
  }
  return trials;
}

std::vector<std::string> names(const ImportanceReport& report) {
  std::vector<std::string> out;
  for (const auto& p : report.parameters) out.push_back(p.name);
  return out;
}

const ParameterImportance& find(const ImportanceReport& report, const std::string& name) {
  for (const auto& p : report.parameters) {
    if (p.name == name) return p;
  }
  ADD_FAILURE() << "no parameter " << name;
  static ParameterImportance none;
  return none;
}

TEST(ParameterImportanceTest, RanksStrongThenWeakThenIrrelevant) {
  SweepSpec spec = spec_of(kThree);
  auto trials = uniform_trials(300, [](double a, double b, double) { return -4 * a + b; });
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  ASSERT_FALSE(report.reason) << *report.reason;
  EXPECT_EQ(report.trials_used, 300u);
  EXPECT_THAT(names(report), ElementsAre("x1", "x2", "x3"));
  EXPECT_GT(find(report, "x1").importance, 0.8);
  EXPECT_GT(find(report, "x2").importance, 3 * find(report, "x3").importance);
  double total = 0;
  for (const auto& p : report.parameters) total += p.importance;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_LT(*find(report, "x1").correlation, -0.8);
  EXPECT_GT(*find(report, "x2").correlation, 0.1);
  EXPECT_LT(std::abs(*find(report, "x3").correlation), 0.2);
  EXPECT_GT(*report.explained, 0.8);
}

TEST(ParameterImportanceTest, IsReproducible) {
  SweepSpec spec = spec_of(kThree);
  auto trials = uniform_trials(200, [](double a, double b, double c) { return a * b + c; });
  ImportanceReport first = parameter_importance(spec.parameters, trials);
  ImportanceReport second = parameter_importance(spec.parameters, trials);
  ASSERT_EQ(first.parameters.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first.parameters[i].name, second.parameters[i].name);
    EXPECT_EQ(first.parameters[i].importance, second.parameters[i].importance);
    EXPECT_EQ(first.parameters[i].correlation, second.parameters[i].correlation);
  }
  EXPECT_EQ(first.explained, second.explained);
}

TEST(ParameterImportanceTest, TrialsWithoutAFiniteObjectiveAreLeftOut) {
  SweepSpec spec = spec_of(kThree);
  auto trials = uniform_trials(40, [](double a, double, double) { return a; });
  for (size_t i = 0; i < trials.size(); i += 2) trials[i].objective = std::nan("");
  trials[1].objective = INFINITY;
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  EXPECT_EQ(report.trials_used, 19u);
  EXPECT_EQ(report.parameters.at(0).name, "x1");
}

TEST(ParameterImportanceTest, AllNaNObjectivesGiveAReasonInsteadOfARanking) {
  SweepSpec spec = spec_of(kThree);
  auto trials = uniform_trials(20, [](double, double, double) { return std::nan(""); });
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  EXPECT_EQ(report.trials_used, 0u);
  EXPECT_TRUE(report.parameters.empty());
  EXPECT_FALSE(report.explained);
  EXPECT_EQ(report.reason,
            "0 trials have a finite value of the metric; importance needs at least 5");
}

TEST(ParameterImportanceTest, FewerThanFiveTrialsGiveAReason) {
  SweepSpec spec = spec_of(kThree);
  ImportanceReport four = parameter_importance(
      spec.parameters, uniform_trials(4, [](double a, double, double) { return a; }));
  EXPECT_TRUE(four.parameters.empty());
  EXPECT_THAT(*four.reason, HasSubstr("4 trials"));
  ImportanceReport five = parameter_importance(
      spec.parameters, uniform_trials(5, [](double a, double, double) { return a; }));
  EXPECT_FALSE(five.reason);
  EXPECT_EQ(five.parameters.size(), 3u);
}

TEST(ParameterImportanceTest, ConstantsAreLeftOutAndAParameterThatDidNotVaryScoresZero) {
  SweepSpec spec = spec_of(
      "  a: {min: 0.0, max: 1.0}\n  b: {value: 3}\n  c: {values: [7]}\n"
      "  d: {min: 0.0, max: 1.0}\n");
  ASSERT_EQ(spec.parameters.size(), 4u);
  std::vector<TrialSample> trials;
  for (int i = 0; i < 50; ++i) {
    // d was only ever tried at 0.5.
    trials.push_back(
        {{Value(i / 50.0), Value(int64_t{3}), Value(int64_t{7}), Value(0.5)}, i * 1.0});
  }
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  EXPECT_THAT(names(report), ElementsAre("a", "d"));
  EXPECT_DOUBLE_EQ(find(report, "a").importance, 1.0);
  EXPECT_EQ(find(report, "d").importance, 0.0);
  EXPECT_FALSE(find(report, "d").correlation);
  EXPECT_DOUBLE_EQ(*find(report, "a").correlation, 1.0);
}

TEST(ParameterImportanceTest, ASweepWithNothingThatVariesSaysSo) {
  SweepSpec spec = spec_of("  b: {value: 3}\n");
  std::vector<TrialSample> trials(10, TrialSample{{Value(int64_t{3})}, 1.0});
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  EXPECT_TRUE(report.parameters.empty());
  EXPECT_EQ(report.reason, "the sweep has no parameter that takes more than one value");
}

TEST(ParameterImportanceTest, CategoricalValuesByIndexWithoutACorrelation) {
  SweepSpec spec = spec_of("  opt: {values: [sgd, adam, rmsprop]}\n  x: {min: 0.0, max: 1.0}\n");
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> unit(0, 1);
  const std::vector<std::string> opts{"sgd", "adam", "rmsprop"};
  const std::vector<double> effect{1.0, 0.0, 2.0};  // not monotone in the file's order
  std::vector<TrialSample> trials;
  for (int i = 0; i < 120; ++i) {
    double x = unit(gen);
    trials.push_back({{Value(opts[i % 3]), Value(x)}, effect[i % 3] + 0.1 * x});
  }
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  ASSERT_THAT(names(report), ElementsAre("opt", "x"));
  EXPECT_GT(find(report, "opt").importance, 0.9);
  EXPECT_FALSE(find(report, "opt").correlation);
  EXPECT_GT(*find(report, "x").correlation, 0.0);
}

TEST(ParameterImportanceTest, NestedParametersByTheirDottedPath) {
  SweepSpec spec = spec_of(
      "  optimizer:\n    parameters:\n      lr: {min: 0.0, max: 1.0}\n      wd: {min: 0.0, "
      "max: 1.0}\n");
  auto trials = uniform_trials(60, [](double a, double, double) { return a; });
  for (auto& t : trials) t.values.pop_back();
  ImportanceReport report = parameter_importance(spec.parameters, trials);
  EXPECT_THAT(names(report), ElementsAre("optimizer.lr", "optimizer.wd"));
}

TEST(ParameterFeatureTest, LogDistributionsAreReadOnTheirLogScale) {
  SweepSpec spec = spec_of(
      "  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}\n"
      "  old: {distribution: log_uniform, min: -9.0, max: -2.0}\n"
      "  q: {distribution: q_log_uniform_values, min: 1, max: 1024, q: 1}\n"
      "  w: {distribution: normal, mu: 0.0, sigma: 1.0}\n");
  for (const Parameter& p : spec.parameters) {
    ParameterFeature feature(p);
    SCOPED_TRACE(p.name());
    if (p.name() == "w") {
      EXPECT_EQ(feature.scale(), Scale::kLinear);
      EXPECT_EQ(feature.encode(Value(-0.5)), -0.5);
      continue;
    }
    EXPECT_EQ(feature.scale(), Scale::kLog);
    EXPECT_DOUBLE_EQ(feature.encode(Value(0.01)), std::log(0.01));
    EXPECT_TRUE(std::isnan(feature.encode(Value(0.0))));
    EXPECT_TRUE(std::isnan(feature.encode(Value("0.01"))));
  }
}

TEST(ParameterFeatureTest, CategoricalNumbersKeepTheirValueOthersTheirIndex) {
  SweepSpec spec = spec_of("  batch: {values: [64, 16, 32]}\n  flag: {values: [true, false]}\n");
  ParameterFeature batch(spec.parameters[0]);
  EXPECT_EQ(batch.scale(), Scale::kCategorical);
  EXPECT_TRUE(batch.ordered());
  EXPECT_EQ(batch.encode(Value(int64_t{16})), 16.0);
  ParameterFeature flag(spec.parameters[1]);
  EXPECT_FALSE(flag.ordered());
  EXPECT_EQ(flag.encode(Value(false)), 1.0);
  EXPECT_TRUE(std::isnan(flag.encode(Value("maybe"))));
  EXPECT_EQ(scale_name(flag.scale()), "categorical");
}

}  // namespace
}  // namespace labsweep::sweeps::analysis
