#include "sweeps/stopping/median_rule.h"

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

std::unique_ptr<StoppingRule> median(int64_t warmup, int64_t min_trials,
                                     const Metric& m = metric("loss"), std::string name = "") {
  return make_median_rule(
      rule_spec("median", {{"warmup_steps", Value(warmup)}, {"min_trials", Value(min_trials)}},
                std::move(name)),
      m);
}

TEST(MedianRuleTest, StopsWorseThanTheMedianOfTheOthersAndTiesSurvive) {
  auto rule = median(0, 1);
  EXPECT_FALSE(feed(*rule, 1, 1.0, 1).stop);  // no other trial at step 1
  StopVerdict v = feed(*rule, 2, 2.0, 1);     // others {1}
  EXPECT_EQ(v.reason,
            "step 1: loss 2.0 is worse than the median 1.0 of the 1 other trials at that step");
  EXPECT_FALSE(feed(*rule, 3, 1.0, 1).stop);  // others {1,2}: median 1.5
  EXPECT_TRUE(feed(*rule, 4, 1.6, 1).stop);   // others {1,1,2}: median 1
  v = feed(*rule, 5, 1.5, 1);                 // others {1,1,1.6,2}: median 1.3
  EXPECT_EQ(v.reason,
            "step 1: loss 1.5 is worse than the median 1.3 of the 4 other trials at that step");
  EXPECT_FALSE(feed(*rule, 6, 1.5, 1).stop);  // others {1,1,1.5,1.6,2}: median 1.5, a tie
}

TEST(MedianRuleTest, WaitsForTheWarmUpAndForEnoughOtherTrials) {
  auto rule = median(5, 2);
  feed(*rule, 1, 1.0, 4);
  feed(*rule, 2, 1.0, 4);
  EXPECT_FALSE(feed(*rule, 3, 9.0, 4).stop);  // step 4 is in the warm-up
  feed(*rule, 1, 1.0, 5);
  EXPECT_FALSE(feed(*rule, 2, 5.0, 5).stop);  // one other trial at step 5, two needed
  EXPECT_EQ(feed(*rule, 3, 9.0, 5).reason,    // others {1,5}: median 3
            "step 5: loss 9.0 is worse than the median 3.0 of the 2 other trials at that step");
}

TEST(MedianRuleTest, ComparesTheValueReportedAtExactlyThatStep) {
  auto rule = median(0, 1);
  feed(*rule, 1, 1.0, 2);
  feed(*rule, 1, 1.0, 1);                     // steps out of order
  EXPECT_TRUE(feed(*rule, 2, 2.0, 1).stop);   // others at step 1: {1}
  EXPECT_FALSE(feed(*rule, 3, 5.0, 3).stop);  // nobody else at step 3
  EXPECT_TRUE(feed(*rule, 4, 1.5, 2).stop);   // others at step 2: {1}
}

TEST(MedianRuleTest, ASecondReportOfAStepIsNeitherCountedNorJudged) {
  auto rule = median(0, 1);
  feed(*rule, 1, 1.0, 1);
  EXPECT_TRUE(feed(*rule, 2, 5.0, 1).stop);
  EXPECT_FALSE(feed(*rule, 2, 9.0, 1).stop);
  EXPECT_FALSE(feed(*rule, 3, 3.0, 1).stop);  // others {1,5}: median 3; with 9 it would be 5
  EXPECT_TRUE(feed(*rule, 4, 3.5, 1).stop);   // others {1,3,5}: median 3
}

TEST(MedianRuleTest, NonFiniteValuesAreNeitherCountedNorJudged) {
  auto rule = median(0, 1);
  EXPECT_FALSE(feed(*rule, 1, std::numeric_limits<double>::quiet_NaN(), 1).stop);
  EXPECT_FALSE(feed(*rule, 2, -std::numeric_limits<double>::infinity(), 1).stop);
  EXPECT_FALSE(feed(*rule, 3, 7.0, 1).stop);  // no finite value from another trial yet
  EXPECT_TRUE(feed(*rule, 4, 8.0, 1).stop);
}

TEST(MedianRuleTest, MaximizeAndOwnMetric) {
  auto rule = median(0, 1, metric("acc", Goal::kMaximize));
  feed(*rule, 1, 0.9, 1, "acc");
  EXPECT_EQ(feed(*rule, 2, 0.8, 1, "acc").reason,
            "step 1: acc 0.8 is worse than the median 0.9 of the 1 other trials at that step");
  EXPECT_FALSE(feed(*rule, 3, 0.95, 1, "acc").stop);
  // A rule naming another metric minimises it, whatever the sweep's goal.
  auto loss = median(0, 1, metric("acc", Goal::kMaximize), "loss");
  EXPECT_EQ(loss->metrics(), std::vector<std::string>{"loss"});
  feed(*loss, 1, 1.0, 1);
  EXPECT_TRUE(feed(*loss, 2, 2.0, 1).stop);
  EXPECT_FALSE(feed(*loss, 3, 2.0, 1, "acc").stop);
}

TEST(MedianRuleTest, EndedTrialsCountButAreNotJudged) {
  auto rule = median(0, 1);
  feed(*rule, 1, 1.0, 1);
  rule->trial_ended(1);
  EXPECT_TRUE(feed(*rule, 2, 2.0, 1).stop);
  rule->trial_ended(3);
  EXPECT_FALSE(feed(*rule, 3, 99.0, 1).stop);
  EXPECT_EQ(feed(*rule, 4, 3.0, 1).reason,  // others {1,2,99}: trial 3's value counts
            "step 1: loss 3.0 is worse than the median 2.0 of the 3 other trials at that step");
}

// resource epoch: the value at a point is the loss paired, by step, with the epoch reported at
// the same step; the two may arrive in either order.
TEST(MedianRuleTest, ANamedResourceIsTheAxisOfThePoints) {
  StoppingRuleSpec spec = rule_spec("median", {{"warmup_steps", Value(int64_t{2})}});
  spec.resource = "epoch";
  auto rule = make_median_rule(spec, metric("loss"));
  EXPECT_EQ(rule->metrics(), (std::vector<std::string>{"loss", "epoch"}));
  // Trial 1 reports epoch 2 at step 100; trial 2 reports epoch 2 at step 40.
  EXPECT_FALSE(feed(*rule, 1, 1.0, 100).stop);
  EXPECT_FALSE(feed(*rule, 1, 2.0, 100, "epoch").stop);
  EXPECT_FALSE(feed(*rule, 2, 2.0, 40, "epoch").stop);  // waits for its loss
  EXPECT_EQ(feed(*rule, 2, 3.0, 40).reason,
            "epoch 2: loss 3.0 is worse than the median 1.0 of the 1 other trials at that epoch");
  // Epoch 1 is in the warm-up; a fractional epoch is a point of its own; a NaN epoch is none.
  feed(*rule, 3, 1.0, 1, "epoch");
  EXPECT_FALSE(feed(*rule, 3, 9.0, 1).stop);
  feed(*rule, 4, 2.5, 50, "epoch");
  EXPECT_FALSE(feed(*rule, 4, 9.0, 50).stop);
  feed(*rule, 5, 2.5, 60, "epoch");
  EXPECT_EQ(feed(*rule, 5, 9.5, 60).reason,
            "epoch 2.5: loss 9.5 is worse than the median 9.0 of the 1 other trials at that "
            "epoch");
  feed(*rule, 6, std::numeric_limits<double>::quiet_NaN(), 70, "epoch");
  EXPECT_FALSE(feed(*rule, 6, 99.0, 70).stop);
}

}  // namespace
}  // namespace labsweep::sweeps
