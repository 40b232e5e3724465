#include "sweeps/stopping/threshold_rule.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "tests/sweeps/stopping/stopping_test_support.h"

namespace labsweep::sweeps {
namespace {

using testing::feed;
using testing::metric;
using testing::rule_spec;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ThresholdRuleTest, StopsOnNonFiniteValuesByDefault) {
  auto rule = make_threshold_rule(rule_spec("threshold"), metric("loss"));
  EXPECT_FALSE(feed(*rule, 1, 1e300, 1).stop);
  EXPECT_EQ(feed(*rule, 1, kNaN, 3).reason, "step 3: loss is nan");
  EXPECT_EQ(feed(*rule, 2, kInf, 0).reason, "step 0: loss is inf");
  EXPECT_EQ(feed(*rule, 3, -kInf, 7).reason, "step 7: loss is -inf");
}

TEST(ThresholdRuleTest, NonFiniteValuesCanBeAllowed) {
  auto rule = make_threshold_rule(rule_spec("threshold", {{"stop_on_nonfinite", Value(false)}}),
                                  metric("loss"));
  EXPECT_FALSE(feed(*rule, 1, kNaN, 3).stop);
  EXPECT_FALSE(feed(*rule, 1, kInf, 3).stop);  // no bound to cross
}

TEST(ThresholdRuleTest, StopsWorseThanTheBoundAfterTheStep) {
  auto rule = make_threshold_rule(
      rule_spec("threshold", {{"bound", Value(1.0)}, {"after_step", Value(2)}}), metric("loss"));
  EXPECT_FALSE(feed(*rule, 1, 5.0, 2).stop);  // step 2 is not after step 2
  EXPECT_FALSE(feed(*rule, 1, 1.0, 3).stop);  // equal to the bound
  EXPECT_EQ(feed(*rule, 1, 5.0, 3).reason,
            "step 3: loss 5.0 is worse than the bound 1.0 (checked after step 2)");
  EXPECT_FALSE(feed(*rule, 2, 0.5, 9).stop);
}

TEST(ThresholdRuleTest, MaximizeAndNonFiniteAgainstTheBound) {
  auto rule = make_threshold_rule(
      rule_spec("threshold", {{"bound", Value(1)}, {"stop_on_nonfinite", Value(false)}}),
      metric("acc", Goal::kMaximize));
  EXPECT_FALSE(feed(*rule, 1, 2.0, 1, "acc").stop);
  EXPECT_TRUE(feed(*rule, 1, 0.5, 1, "acc").stop);
  EXPECT_TRUE(feed(*rule, 1, -kInf, 1, "acc").stop);  // worse than any bound
  EXPECT_FALSE(feed(*rule, 1, kInf, 1, "acc").stop);
  EXPECT_FALSE(feed(*rule, 1, kNaN, 1, "acc").stop);  // NaN crosses no bound
}

TEST(ThresholdRuleTest, IgnoresOtherMetricsAndEndedTrials) {
  auto rule =
      make_threshold_rule(rule_spec("threshold", {}, "grad_norm"), metric("acc", Goal::kMaximize));
  EXPECT_EQ(rule->metrics(), std::vector<std::string>{"grad_norm"});
  EXPECT_FALSE(feed(*rule, 1, kNaN, 1, "acc").stop);
  rule->trial_ended(1);
  EXPECT_FALSE(feed(*rule, 1, kNaN, 1, "grad_norm").stop);
  EXPECT_TRUE(feed(*rule, 2, kNaN, 1, "grad_norm").stop);
}

TEST(ThresholdRuleTest, ANamedResourceDecidesWhenTheBoundApplies) {
  StoppingRuleSpec spec =
      rule_spec("threshold", {{"bound", Value(1.0)}, {"after_step", Value(int64_t{2})}});
  spec.resource = "epoch";
  auto rule = make_threshold_rule(spec, metric("loss"));
  EXPECT_EQ(rule->metrics(), (std::vector<std::string>{"loss", "epoch"}));
  EXPECT_FALSE(feed(*rule, 1, 5.0, 300).stop);           // waits for the epoch of step 300
  EXPECT_FALSE(feed(*rule, 1, 2.0, 300, "epoch").stop);  // epoch 2 is not after epoch 2
  EXPECT_FALSE(feed(*rule, 1, 2.5, 400, "epoch").stop);
  EXPECT_EQ(feed(*rule, 1, 5.0, 400).reason,
            "epoch 2.5: loss 5.0 is worse than the bound 1.0 (checked after epoch 2)");
  // A non-finite value stops at once, before its epoch is known.
  EXPECT_EQ(feed(*rule, 2, kNaN, 10).reason, "step 10: loss is nan");
  // A trial that ended is not judged, and its waiting reports are dropped.
  feed(*rule, 3, 9.0, 500);
  rule->trial_ended(3);
  EXPECT_FALSE(feed(*rule, 3, 9.0, 500, "epoch").stop);
}

}  // namespace
}  // namespace labsweep::sweeps
