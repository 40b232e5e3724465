#include "sweeps/stopping/rule_set.h"

#include <gtest/gtest.h>

#include <limits>

#include "tests/sweeps/stopping/stopping_test_support.h"

namespace labsweep::sweeps {
namespace {

using testing::feed;
using testing::metric;
using testing::rule_spec;

SweepSpec spec_with(std::optional<Metric> m, std::vector<int64_t> bands = {}) {
  SweepSpec spec;
  spec.metric = std::move(m);
  if (!bands.empty()) {
    Hyperband h;
    h.bands = std::move(bands);
    spec.early_terminate = h;
  }
  return spec;
}

TEST(RuleSetTest, NoRulesMeansNoRuleSet) {
  EXPECT_EQ(make_stopping_rules(spec_with(metric("loss"))), nullptr);
  // Hyperband and a rule without its own metric have nothing to watch without a sweep metric.
  SweepSpec spec = spec_with(std::nullopt, {1});
  spec.labsweep.early_stopping.push_back(rule_spec("median"));
  EXPECT_EQ(make_stopping_rules(spec), nullptr);
  spec.labsweep.early_stopping.push_back(rule_spec("threshold", {}, "loss"));
  auto rules = make_stopping_rules(spec);
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->metrics(), std::vector<std::string>{"loss"});
}

TEST(RuleSetTest, MetricsAreTheUnionOfTheRules) {
  SweepSpec spec = spec_with(metric("loss"), {1});
  spec.labsweep.early_stopping.push_back(rule_spec("threshold"));
  spec.labsweep.early_stopping.push_back(rule_spec("median", {}, "acc"));
  spec.labsweep.early_stopping.push_back(
      rule_spec("asha", {{"min_resource", Value(1)}, {"max_resource", Value(9)}}));
  auto rules = make_stopping_rules(spec);
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->metrics(), (std::vector<std::string>{"acc", "loss"}));
}

TEST(RuleSetTest, TheFirstStopWinsAndEveryRuleSeesEveryReport) {
  SweepSpec spec = spec_with(metric("loss"), {1});
  spec.labsweep.early_stopping.push_back(rule_spec("threshold", {{"bound", Value(3.0)}}));
  auto rules = make_stopping_rules(spec);
  ASSERT_NE(rules, nullptr);
  EXPECT_FALSE(feed(*rules, 1, 1.0, 1).stop);
  EXPECT_FALSE(feed(*rules, 2, 1.0, 1).stop);  // hyperband {1,1}[0] = 1
  // Both stop trial 3: hyperband ({1,1,5}[1] = 1) comes first.
  EXPECT_EQ(feed(*rules, 3, 5.0, 1).reason,
            "band 1: loss 5.0 is worse than the threshold 1.0 of the 3 trials that reached "
            "iteration 1");
  // Only the threshold rule stops a NaN, which hyperband does not count.
  EXPECT_EQ(feed(*rules, 4, std::numeric_limits<double>::quiet_NaN(), 1).reason,
            "step 1: loss is nan");
  // Hyperband saw trial 3's 5 although the verdict was already given: {1,1,2.5,5}[1] = 1.
  EXPECT_EQ(feed(*rules, 5, 2.5, 1).reason,
            "band 1: loss 2.5 is worse than the threshold 1.0 of the 4 trials that reached "
            "iteration 1");
}

TEST(RuleSetTest, EndedTrialsReachEveryRule) {
  SweepSpec spec = spec_with(metric("loss"), {1});
  spec.labsweep.early_stopping.push_back(rule_spec("threshold"));
  auto rules = make_stopping_rules(spec);
  ASSERT_NE(rules, nullptr);
  feed(*rules, 1, 1.0, 1);
  rules->trial_ended(2);
  EXPECT_FALSE(feed(*rules, 2, 9.0, 1).stop);
  EXPECT_FALSE(feed(*rules, 2, std::numeric_limits<double>::infinity(), 1).stop);
}

}  // namespace
}  // namespace labsweep::sweeps
