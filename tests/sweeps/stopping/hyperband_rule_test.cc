#include "sweeps/stopping/hyperband_rule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sweeps/early_terminate.h"
#include "tests/sweeps/stopping/stopping_test_support.h"

namespace labsweep::sweeps {
namespace {

using testing::feed;
using testing::metric;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Hyperband bands(std::vector<int64_t> at, bool strict = true) {
  Hyperband h;
  h.bands = std::move(at);
  h.eta = 3;
  h.strict = strict;
  return h;
}

// Thresholds by hand: sorted(values)[int(n/3)] of the values at the band.
TEST(HyperbandRuleTest, StopsWorseThanTheThresholdAndTiesSurvive) {
  auto rule = make_hyperband_rule(bands({1, 3}), metric("loss"));
  EXPECT_FALSE(feed(*rule, 1, 5.0).stop);   // {5}: threshold 5, a lone trial survives
  EXPECT_FALSE(feed(*rule, 2, 4.0).stop);   // {4,5}[0] = 4
  StopVerdict third = feed(*rule, 3, 6.0);  // {4,5,6}[1] = 5
  EXPECT_TRUE(third.stop);
  EXPECT_EQ(third.reason,
            "band 1: loss 6.0 is worse than the threshold 5.0 of the 3 trials that reached "
            "iteration 1");
  rule->trial_ended(3);
  EXPECT_FALSE(feed(*rule, 4, 5.0).stop);  // {4,5,5,6}[1] = 5: a tie survives
}

TEST(HyperbandRuleTest, ReJudgesAtTheLatestBandAsTheThresholdMoves) {
  auto rule = make_hyperband_rule(bands({1, 3}), metric("loss"));
  feed(*rule, 1, 5.0);
  feed(*rule, 2, 4.0);
  feed(*rule, 3, 6.0);
  EXPECT_FALSE(feed(*rule, 4, 5.0).stop);
  EXPECT_FALSE(feed(*rule, 5, 1.0).stop);  // {1,4,5,5,6}[1] = 4
  // Trial 4's second iteration: still judged at band 1 on its first value, 5 > 4.
  StopVerdict later = feed(*rule, 4, 0.1);
  EXPECT_TRUE(later.stop);
  EXPECT_EQ(later.reason,
            "band 1: loss 5.0 is worse than the threshold 4.0 of the 5 trials that reached "
            "iteration 1");
}

TEST(HyperbandRuleTest, StrictJudgesTheBandValueAndLooseTheBestSoFar) {
  for (bool strict : {true, false}) {
    auto rule = make_hyperband_rule(bands({1}, strict), metric("loss"));
    EXPECT_FALSE(feed(*rule, 3, 5.0).stop);
    EXPECT_FALSE(feed(*rule, 3, 0.5).stop);  // band 1 holds {5}
    EXPECT_FALSE(feed(*rule, 1, 1.0).stop);  // {1,5}[0] = 1
    EXPECT_FALSE(feed(*rule, 2, 2.0).stop);  // {1,2,5}[1] = 2
    StopVerdict v = feed(*rule, 3, 0.7);     // strict: 5 > 2; loose: min 0.5 <= 2
    EXPECT_EQ(v.stop, strict);
    if (strict) {
      EXPECT_EQ(v.reason,
                "band 1: loss 5.0 is worse than the threshold 2.0 of the 3 trials that "
                "reached iteration 1");
    }
  }
  auto loose = make_hyperband_rule(bands({1}, false), metric("loss"));
  feed(*loose, 1, 1.0);
  feed(*loose, 2, 2.0);
  EXPECT_EQ(feed(*loose, 3, 9.0).reason,
            "band 1: loss best so far 9.0 is worse than the threshold 2.0 of the 3 trials "
            "that reached iteration 1");
}

TEST(HyperbandRuleTest, MaximizeNegatesValuesAndReportsThemAsReported) {
  auto rule = make_hyperband_rule(bands({1}), metric("acc", Goal::kMaximize));
  EXPECT_FALSE(feed(*rule, 1, 0.5, 0, "acc").stop);
  EXPECT_FALSE(feed(*rule, 2, 0.6, 0, "acc").stop);  // {-0.6,-0.5}[0] = -0.6: 0.6 survives
  StopVerdict v = feed(*rule, 3, 0.4, 0, "acc");     // {-0.6,-0.5,-0.4}[1] = -0.5
  EXPECT_TRUE(v.stop);
  EXPECT_EQ(v.reason,
            "band 1: acc 0.4 is worse than the threshold 0.5 of the 3 trials that reached "
            "iteration 1");
}

TEST(HyperbandRuleTest, OnlyFiniteReportsAreIterations) {
  auto rule = make_hyperband_rule(bands({2}), metric("loss"));
  EXPECT_FALSE(feed(*rule, 1, 1.0).stop);
  EXPECT_FALSE(feed(*rule, 1, kNaN).stop);
  EXPECT_FALSE(feed(*rule, 1, kInf).stop);
  EXPECT_FALSE(feed(*rule, 1, -kInf).stop);
  EXPECT_FALSE(feed(*rule, 1, 2.0).stop);  // iteration 2: band 2 holds {2}
  EXPECT_FALSE(feed(*rule, 2, 0.0).stop);
  EXPECT_FALSE(feed(*rule, 2, 1.0).stop);  // {1,2}[0] = 1
  StopVerdict v = feed(*rule, 3, 0.0);
  EXPECT_FALSE(v.stop);     // iteration 1: before the first band
  v = feed(*rule, 3, 3.0);  // {1,2,3}[1] = 2
  EXPECT_EQ(v.reason,
            "band 2: loss 3.0 is worse than the threshold 2.0 of the 3 trials that reached "
            "iteration 2");
}

TEST(HyperbandRuleTest, EndedTrialsCountButAreNotJudged) {
  auto rule = make_hyperband_rule(bands({1}), metric("loss"));
  feed(*rule, 1, 1.0);
  rule->trial_ended(1);
  StopVerdict v = feed(*rule, 2, 2.0);  // {1,2}[0] = 1
  EXPECT_EQ(v.reason,
            "band 1: loss 2.0 is worse than the threshold 1.0 of the 2 trials that reached "
            "iteration 1");
  rule->trial_ended(5);
  EXPECT_FALSE(feed(*rule, 5, 100.0).stop);  // 100 > threshold 2, but trial 5 is not running
}

TEST(HyperbandRuleTest, IgnoresOtherMetricsAndNamesItsOwn) {
  auto rule = make_hyperband_rule(bands({1}), metric("loss"));
  EXPECT_EQ(rule->metrics(), std::vector<std::string>{"loss"});
  feed(*rule, 1, 1.0);
  EXPECT_FALSE(feed(*rule, 2, 9.0, 0, "acc").stop);
  EXPECT_FALSE(feed(*rule, 2, 1.0).stop);  // the acc report was not an iteration
}

// Reference §6.2: max_iter 27, s 2, eta 3 gives bands [3, 9].
TEST(HyperbandRuleTest, BandsFromTheReferenceExample) {
  Hyperband h;
  h.bands = hyperband_bands_from_max_iter(27, 2, 3);
  auto rule = make_hyperband_rule(h, metric("loss"));
  for (int64_t trial : {1, 2}) {
    for (int i = 0; i < 3; ++i) feed(*rule, trial, static_cast<double>(trial));
  }
  EXPECT_FALSE(feed(*rule, 3, 9.0).stop);
  EXPECT_FALSE(feed(*rule, 3, 9.0).stop);
  StopVerdict v = feed(*rule, 3, 9.0);  // band 3: {1,2,9}[1] = 2
  EXPECT_EQ(v.reason,
            "band 3: loss 9.0 is worse than the threshold 2.0 of the 3 trials that reached "
            "iteration 3");
}

}  // namespace
}  // namespace labsweep::sweeps
