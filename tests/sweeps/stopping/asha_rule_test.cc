#include "sweeps/stopping/asha_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using ::testing::ElementsAre;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Map settings(std::vector<std::pair<std::string, int64_t>> keys) {
  Map map;
  for (auto& [key, v] : keys) map.emplace_back(key, Value(v));
  return map;
}

std::unique_ptr<StoppingRule> rule_of(Map keys, Goal goal = Goal::kMinimize,
                                      std::string resource = "step", std::string metric = "") {
  StoppingRuleSpec spec{"asha", std::move(metric), std::move(resource), std::move(keys), {}};
  Metric loss;
  loss.name = "loss";
  loss.goal = goal;
  return make_asha_rule(spec, loss);
}

// The rule with `keys`, and eta 3 unless they name it: the cases below are worked with eta 3.
std::unique_ptr<StoppingRule> asha(Map keys, Goal goal = Goal::kMinimize,
                                   std::string resource = "step", std::string metric = "") {
  if (std::none_of(keys.begin(), keys.end(), [](const auto& kv) { return kv.first == "eta"; }))
    keys.emplace_back("eta", Value(int64_t{3}));
  return rule_of(std::move(keys), goal, std::move(resource), std::move(metric));
}

// The reason when the report stops its trial, "" when the trial continues.
std::string verdict(StoppingRule& rule, int64_t trial, int64_t step, double value,
                    std::string metric = "loss") {
  StopVerdict v = rule.report({trial, std::move(metric), step, value});
  EXPECT_EQ(v.stop, !v.reason.empty());
  return v.stop ? v.reason : "";
}

const std::string kGo = "";

TEST(AshaRuleTest, FirstValueAtARungAlwaysContinuesAndTheSecondMustMatchIt) {
  auto rule = asha(settings({{"eta", 3}}));
  EXPECT_EQ(verdict(*rule, 1, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.7), "rung 1: loss 0.7 is not in the top 1/3 (cut-off 0.5)");
  EXPECT_EQ(verdict(*rule, 3, 1, 0.5), kGo);  // a tie with the cut-off survives
}

// Earlier values [0.5, 0.7]: position (2 - 1) / 3 = 1/3, cut-off 0.5 + (0.7 - 0.5) / 3 = 0.5667.
// Then [0.5, 0.56, 0.7]: position 2/3, cut-off 0.5 + (0.56 - 0.5) * 2/3 = 0.54.
TEST(AshaRuleTest, CutOffInterpolatesBetweenEarlierValues) {
  auto rule = asha(settings({{"eta", 3}}));
  verdict(*rule, 1, 1, 0.5);
  verdict(*rule, 2, 1, 0.7);
  EXPECT_EQ(verdict(*rule, 3, 1, 0.56), kGo);
  EXPECT_EQ(verdict(*rule, 4, 1, 0.57), "rung 1: loss 0.57 is not in the top 1/3 (cut-off 0.54)");
  auto other = asha(settings({{"eta", 3}}));
  verdict(*other, 1, 1, 0.5);
  verdict(*other, 2, 1, 0.7);
  EXPECT_EQ(verdict(*other, 3, 1, 0.57), "rung 1: loss 0.57 is not in the top 1/3 (cut-off 0.567)");
}

// Each cut-off by hand (lower is better, own value excluded, ties survive):
//   t3: earlier [0.5, 0.7], position 1/3: 0.5 + 0.2 / 3 = 0.567.
//   t4: earlier [0.5, 0.5, 0.7], position 2/3: 0.5 + (0.5 - 0.5) * 2/3 = 0.5, a tie.
//   t5: earlier [0.5, 0.5, 0.5, 0.7], position 1: 0.5.
//   t6: earlier [0.5, 0.5, 0.5, 0.51, 0.7], position 4/3: 0.5.
//   t7: earlier [0.4, 0.5, 0.5, 0.5, 0.51, 0.7], position 5/3: 0.5, a tie.
//   t8: earlier [0.4, 0.5, 0.5, 0.5, 0.5, 0.51, 0.7], position 2: 0.5.
TEST(AshaRuleTest, TiesAtTheCutOffSurviveAndTheStoppedStillCount) {
  auto rule = asha(settings({{"eta", 3}}));
  EXPECT_EQ(verdict(*rule, 1, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.7), "rung 1: loss 0.7 is not in the top 1/3 (cut-off 0.5)");
  EXPECT_EQ(verdict(*rule, 3, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 4, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 5, 1, 0.51), "rung 1: loss 0.51 is not in the top 1/3 (cut-off 0.5)");
  EXPECT_EQ(verdict(*rule, 6, 1, 0.4), kGo);
  EXPECT_EQ(verdict(*rule, 7, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 8, 1, 0.9), "rung 1: loss 0.9 is not in the top 1/3 (cut-off 0.5)");
}

// eta 2, earlier [1, 3]: cut-off at position 1/2, 1 + (3 - 1) / 2 = 2 exactly.
TEST(AshaRuleTest, AnInterpolatedCutOffIsATieToo) {
  auto rule = asha(settings({{"eta", 2}}));
  verdict(*rule, 1, 1, 1.0);
  verdict(*rule, 2, 1, 3.0);
  EXPECT_EQ(verdict(*rule, 3, 1, 2.0), kGo);
  auto again = asha(settings({{"eta", 2}}));
  verdict(*again, 1, 1, 1.0);
  verdict(*again, 2, 1, 3.0);
  EXPECT_EQ(verdict(*again, 3, 1, 2.001), "rung 1: loss 2.001 is not in the top 1/2 (cut-off 2.0)");
}

// As lower-is-better values: [-0.8, -0.7], cut-off -0.8 + 0.1 / 3 = -0.7667, shown as reported.
TEST(AshaRuleTest, MaximizeKeepsTheHighestValues) {
  auto rule = asha(settings({{"eta", 3}}), Goal::kMaximize);
  EXPECT_EQ(verdict(*rule, 1, 1, 0.8), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.7), "rung 1: loss 0.7 is not in the top 1/3 (cut-off 0.8)");
  EXPECT_EQ(verdict(*rule, 3, 1, 0.77), kGo);
  auto other = asha(settings({{"eta", 3}}), Goal::kMaximize);
  verdict(*other, 1, 1, 0.8);
  verdict(*other, 2, 1, 0.7);
  EXPECT_EQ(verdict(*other, 3, 1, 0.76), "rung 1: loss 0.76 is not in the top 1/3 (cut-off 0.767)");
  EXPECT_EQ(verdict(*other, 4, 1, 0.9), kGo);
  auto zero = asha(settings({{"eta", 3}}), Goal::kMaximize);
  verdict(*zero, 1, 1, 0.0);
  EXPECT_EQ(verdict(*zero, 2, 1, -1.0), "rung 1: loss -1.0 is not in the top 1/3 (cut-off 0.0)");
}

TEST(AshaRuleTest, NonFiniteValuesRankWorstWhateverTheGoal) {
  struct Case {
    Goal goal;
    double value;
    std::string shown;
  };
  for (const Case& c : {Case{Goal::kMinimize, kNan, "nan"}, Case{Goal::kMinimize, -kInf, "-inf"},
                        Case{Goal::kMinimize, kInf, "inf"}, Case{Goal::kMaximize, kNan, "nan"},
                        Case{Goal::kMaximize, kInf, "inf"}, Case{Goal::kMaximize, -kInf, "-inf"}}) {
    SCOPED_TRACE(c.shown);
    auto rule = asha(settings({}), c.goal);
    verdict(*rule, 1, 1, 0.5);
    EXPECT_EQ(verdict(*rule, 2, 1, c.value),
              "rung 1: loss " + c.shown + " is not in the top 1/3 (cut-off 0.5)");
  }
}

// Earlier non-finite values sit at the bottom of the order and never make the cut-off NaN:
//   t3: earlier [inf, inf], cut-off inf.  t4: earlier [0.4, inf, inf], position 2/3: inf.
//   t5: earlier [0.4, 0.45, inf, inf], position 1: 0.45.
TEST(AshaRuleTest, EarlierNonFiniteValuesLeaveTheFiniteOnesInCharge) {
  auto rule = asha(settings({}));
  EXPECT_EQ(verdict(*rule, 1, 1, kNan), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, kNan), kGo);  // a tie with a non-finite cut-off
  EXPECT_EQ(verdict(*rule, 3, 1, 0.4), kGo);
  EXPECT_EQ(verdict(*rule, 4, 1, 0.45), kGo);
  EXPECT_EQ(verdict(*rule, 5, 1, 0.6), "rung 1: loss 0.6 is not in the top 1/3 (cut-off 0.45)");
}

// min_resource 1, eta 3, max_resource 243: rungs 1, 3, 9, 27, 81, 243 (log(243) / log(3) is
// 4.999... in floating point, which would lose the last one); nothing beyond.
TEST(AshaRuleTest, RungsArePowersOfEtaUpToAndIncludingMaxResource) {
  auto rule = asha(settings({{"min_resource", 1}, {"max_resource", 243}, {"eta", 3}}));
  EXPECT_EQ(verdict(*rule, 1, 243, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 2, 243, 2.0), "rung 243: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
  // Earlier [1, 2], cut-off 1 + 1/3; step 1000 is past the last rung, which it reaches.
  EXPECT_EQ(verdict(*rule, 3, 1000, 3.0),
            "rung 243: loss 3.0 is not in the top 1/3 (cut-off 1.33)");
}

// min_resource 2, eta 3, max_resource 20: rungs 2, 6, 18.
TEST(AshaRuleTest, MaxResourceBetweenPowersEndsTheRungsBelowIt) {
  auto rule = asha(settings({{"min_resource", 2}, {"max_resource", 20}, {"eta", 3}}));
  EXPECT_EQ(verdict(*rule, 1, 1, 1.0), kGo);  // below the first rung: nothing recorded
  EXPECT_EQ(verdict(*rule, 2, 1, 9.0), kGo);
  EXPECT_EQ(verdict(*rule, 1, 5, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 2, 5, 2.0), "rung 2: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
  EXPECT_EQ(verdict(*rule, 3, 17, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 4, 17, 2.0), "rung 6: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
  EXPECT_EQ(verdict(*rule, 5, 100, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 6, 19, 2.0), "rung 18: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
}

// Without max_resource the rungs go on while they fit in 64 bits: 4^31 = 2^62 is the last.
// With eta 4 the second value at a rung is cut at the first: earlier [1], position 0.
TEST(AshaRuleTest, DefaultsAreEta4FromResource1Unbounded) {
  auto rule = rule_of(settings({}));
  int64_t last = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(verdict(*rule, 1, last, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 2, last, 2.0),
            "rung 4611686018427387904: loss 2.0 is not in the top 1/4 (cut-off 1.0)");
  // Rungs 1, 4, 16. At rung 1, earlier [1, 2, 3]: position 2/4, 1 + (2 - 1) / 2 = 1.5.
  auto small = rule_of(settings({}));
  for (int64_t t = 1; t <= 3; ++t) verdict(*small, t, 3, static_cast<double>(t));
  EXPECT_EQ(verdict(*small, 4, 3, 1.6), "rung 1: loss 1.6 is not in the top 1/4 (cut-off 1.5)");
  EXPECT_EQ(verdict(*small, 1, 4, 1.0), kGo);  // the first at rung 4
  EXPECT_EQ(verdict(*small, 5, 15, 2.0), "rung 4: loss 2.0 is not in the top 1/4 (cut-off 1.0)");
  EXPECT_EQ(verdict(*small, 6, 16, 2.0), kGo);  // the first at rung 16
}

// `cutoff: rank`, Optuna's: the trial's value among all those at the rung, its own included,
// must be within the best floor(n / eta) (the best alone while n < eta). Eta 3, one rung:
//   t1 [0.5]: best 1, 0.5.  t2 [0.5, 0.7]: 0.5.  t3 [0.4, ...]: 0.4, a tie with itself.
//   t4 [0.4, 0.45, 0.5, 0.7]: best 1, 0.4 (the quantile would give 0.4 + 0.1 * 2/3 = 0.467).
//   t5 [0.4, 0.45, 0.45, 0.5, 0.7]: 0.4.  t6: 6 values, best 2: 0.42, a tie.  t7: 0.42.
TEST(AshaRuleTest, RankCutoffRanksTheTrialAmongEveryValueItsOwnIncluded) {
  Map keys = settings({{"eta", 3}});
  keys.emplace_back("cutoff", Value("rank"));
  auto rule = rule_of(keys);
  EXPECT_EQ(verdict(*rule, 1, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.7),
            "rung 1: loss 0.7 is not among the best 1 of the 2 values there (cut-off 0.5)");
  EXPECT_EQ(verdict(*rule, 3, 1, 0.4), kGo);
  EXPECT_EQ(verdict(*rule, 4, 1, 0.45),
            "rung 1: loss 0.45 is not among the best 1 of the 4 values there (cut-off 0.4)");
  EXPECT_EQ(verdict(*rule, 5, 1, 0.45),
            "rung 1: loss 0.45 is not among the best 1 of the 5 values there (cut-off 0.4)");
  EXPECT_EQ(verdict(*rule, 6, 1, 0.42), kGo);
  EXPECT_EQ(verdict(*rule, 7, 1, 0.43),
            "rung 1: loss 0.43 is not among the best 2 of the 7 values there (cut-off 0.42)");
  // `cutoff: quantile` is the default rule: t4 of the same reports continues there.
  Map quantile = settings({{"eta", 3}});
  quantile.emplace_back("cutoff", Value("quantile"));
  auto ray = rule_of(quantile);
  for (auto [trial, value] : {std::pair{1, 0.5}, {2, 0.7}, {3, 0.4}})
    verdict(*ray, trial, 1, value);
  EXPECT_EQ(verdict(*ray, 4, 1, 0.45), kGo);
}

// Maximize, eta 2: best first is highest first; a NaN ranks last and survives only alone.
TEST(AshaRuleTest, RankCutoffWhenMaximizingAndWithNonFiniteValues) {
  Map keys = settings({{"eta", 2}});
  keys.emplace_back("cutoff", Value("rank"));
  auto rule = rule_of(keys, Goal::kMaximize);
  EXPECT_EQ(verdict(*rule, 1, 1, 0.8), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.9), kGo);
  EXPECT_EQ(verdict(*rule, 3, 1, 0.85),
            "rung 1: loss 0.85 is not among the best 1 of the 3 values there (cut-off 0.9)");
  EXPECT_EQ(verdict(*rule, 4, 1, 0.85), kGo);  // 4 values, best 2: 0.9 and 0.85
  auto lone = rule_of(keys, Goal::kMaximize);
  EXPECT_EQ(verdict(*lone, 1, 1, kNan), kGo);
  EXPECT_EQ(verdict(*lone, 2, 1, 0.1), kGo);
  EXPECT_EQ(verdict(*lone, 3, 1, kNan),
            "rung 1: loss nan is not among the best 1 of the 3 values there (cut-off 0.1)");
}

// grace_period 5 drops rungs 1 and 3; 9 stays. Equal to a rung, it keeps that rung.
TEST(AshaRuleTest, GracePeriodJudgesNoTrialBeforeIt) {
  for (int64_t grace : {5, 9}) {
    SCOPED_TRACE(grace);
    auto rule = asha(settings({{"grace_period", grace}}));
    EXPECT_EQ(verdict(*rule, 1, 1, 1.0), kGo);
    EXPECT_EQ(verdict(*rule, 2, 1, 5.0), kGo);
    EXPECT_EQ(verdict(*rule, 1, 3, 1.0), kGo);
    EXPECT_EQ(verdict(*rule, 2, 3, 5.0), kGo);
    EXPECT_EQ(verdict(*rule, 1, 9, 1.0), kGo);
    EXPECT_EQ(verdict(*rule, 2, 9, 5.0), "rung 9: loss 5.0 is not in the top 1/3 (cut-off 1.0)");
  }
  auto past = asha(settings({{"grace_period", 10}}));
  EXPECT_EQ(verdict(*past, 1, 9, 1.0), kGo);
  EXPECT_EQ(verdict(*past, 2, 9, 5.0), kGo);
}

// brackets 2, min_resource 1, eta 3, max_resource 27: bracket 0 (even trials) has rungs 1, 3, 9,
// 27; bracket 1 (odd trials, -1 included) has 3, 9, 27, each rung with its own values.
TEST(AshaRuleTest, BracketsShiftTheRungsAndKeepTheirOwnValues) {
  auto rule = asha(settings({{"brackets", 2}, {"max_resource", 27}}));
  EXPECT_EQ(verdict(*rule, 2, 1, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 4, 1, 0.9),
            "bracket 0, rung 1: loss 0.9 is not in the top 1/3 (cut-off 0.5)");
  EXPECT_EQ(verdict(*rule, 1, 1, 0.9), kGo);  // bracket 1 has no rung 1
  EXPECT_EQ(verdict(*rule, 3, 1, 5.0), kGo);
  EXPECT_EQ(verdict(*rule, 1, 3, 0.9), kGo);
  EXPECT_EQ(verdict(*rule, 3, 3, 1.0),
            "bracket 1, rung 3: loss 1.0 is not in the top 1/3 (cut-off 0.9)");
  EXPECT_EQ(verdict(*rule, 2, 3, 5.0), kGo);  // first at bracket 0's rung 3
  EXPECT_EQ(verdict(*rule, -1, 1, 9.0), kGo);
  EXPECT_EQ(verdict(*rule, -1, 3, 2.0),
            "bracket 1, rung 3: loss 2.0 is not in the top 1/3 (cut-off 0.933)");
}

// brackets 3, min_resource 9, max_resource 27: rungs 9, 27; 27; and none for bracket 2.
TEST(AshaRuleTest, ABracketStartingPastMaxResourceStopsNothing) {
  auto rule = asha(settings({{"brackets", 3}, {"min_resource", 9}, {"max_resource", 27}}));
  EXPECT_EQ(verdict(*rule, 1, 27, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 4, 27, 2.0),
            "bracket 1, rung 27: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
  EXPECT_EQ(verdict(*rule, 2, 1000, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 5, 1000, 2.0), kGo);
  EXPECT_EQ(verdict(*rule, 0, 9, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 3, 9, 2.0),
            "bracket 0, rung 9: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
  // A million brackets, of which two have rungs (9, 27 and 27).
  auto many = asha(settings({{"brackets", 1000000}, {"min_resource", 9}, {"max_resource", 27}}));
  EXPECT_EQ(verdict(*many, 5, 27, 1.0), kGo);
  EXPECT_EQ(verdict(*many, 1000005, 27, 2.0), kGo);
  EXPECT_EQ(verdict(*many, 1, 27, 1.0), kGo);
  EXPECT_EQ(verdict(*many, 1000001, 27, 2.0),
            "bracket 1, rung 27: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
  // As many brackets as ids: 1 and 1 - (2^63 - 1) share bracket 1 (rungs 3, 9, ...); -1 and
  // -2^63 are in bracket 2^63 - 2, past the 40 brackets that have rungs below 2^63.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto most = asha(settings({{"brackets", kMax}}));
  EXPECT_EQ(verdict(*most, -1, 3, 1.0), kGo);
  EXPECT_EQ(verdict(*most, std::numeric_limits<int64_t>::min(), 3, 2.0), kGo);
  EXPECT_EQ(verdict(*most, 1, 3, 1.0), kGo);
  EXPECT_EQ(verdict(*most, 1 - kMax, 3, 2.0),
            "bracket 1, rung 3: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
}

// Rung 9 reached by a report at step 10: that value is the one recorded at rung 9.
TEST(AshaRuleTest, TheFirstReportPastARungRecordsThere) {
  auto rule = asha(settings({}));
  for (int64_t step : {4, 5, 6, 7, 8}) EXPECT_EQ(verdict(*rule, 1, step, 7.0), kGo);
  EXPECT_EQ(verdict(*rule, 1, 10, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 1, 11, 100.0), kGo);  // past rung 9 already
  EXPECT_EQ(verdict(*rule, 2, 9, 2.0), "rung 9: loss 2.0 is not in the top 1/3 (cut-off 1.0)");
}

// Trial 1's first report, at step 9, records at rung 9 only: rungs 1 and 3 have none of it.
TEST(AshaRuleTest, RungsJumpedOverGetNothing) {
  auto rule = asha(settings({}));
  EXPECT_EQ(verdict(*rule, 1, 9, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 5.0), kGo);
  EXPECT_EQ(verdict(*rule, 2, 3, 5.0), kGo);
  EXPECT_EQ(verdict(*rule, 2, 9, 5.0), "rung 9: loss 5.0 is not in the top 1/3 (cut-off 1.0)");
}

// The repeat is not recorded: with 9.0 among them, trial 3's earlier values would be
// [0.4, 0.5, 9] and its cut-off 0.467; without, [0.4, 0.5] and 0.4 + 0.1 / 3 = 0.433.
TEST(AshaRuleTest, ATrialReportingTheSameStepTwiceIsJudgedOnce) {
  auto rule = asha(settings({}));
  verdict(*rule, 1, 1, 0.5);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.4), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 9.0), kGo);
  EXPECT_EQ(verdict(*rule, 3, 1, 0.45), "rung 1: loss 0.45 is not in the top 1/3 (cut-off 0.433)");
}

// Trial 1's step 3 arrives after its step 9: it reached rung 3 with step 9 already (and jumped
// it), so the late 0.1 is not recorded there and trial 2 is first at rung 3.
TEST(AshaRuleTest, AReportOfAnEarlierStepArrivingLateChangesNothing) {
  auto rule = asha(settings({}));
  EXPECT_EQ(verdict(*rule, 1, 9, 1.0), kGo);
  EXPECT_EQ(verdict(*rule, 1, 3, 0.1), kGo);
  EXPECT_EQ(verdict(*rule, 2, 3, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 3, 3, 0.6), "rung 3: loss 0.6 is not in the top 1/3 (cut-off 0.5)");
}

TEST(AshaRuleTest, EndedTrialsCountButAreNeverJudgedOrRecordedAgain) {
  auto rule = asha(settings({}));
  EXPECT_EQ(verdict(*rule, 1, 1, 0.5), kGo);
  rule->trial_ended(1);
  EXPECT_EQ(verdict(*rule, 1, 3, 0.2), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.9), "rung 1: loss 0.9 is not in the top 1/3 (cut-off 0.5)");
  // A stopped trial's later reports are not recorded either: trial 3 is first at rung 3 (with
  // either 0.2 or 0.1 recorded there, its 1.0 would be stopped).
  EXPECT_EQ(verdict(*rule, 2, 3, 0.1), kGo);
  EXPECT_EQ(verdict(*rule, 3, 3, 1.0), kGo);
  rule->trial_ended(42);  // a trial the rule never heard of
  EXPECT_EQ(verdict(*rule, 42, 1, 0.1), kGo);
}

TEST(AshaRuleTest, OtherMetricsAreIgnored) {
  auto rule = asha(settings({}));
  EXPECT_THAT(rule->metrics(), ElementsAre("loss"));
  verdict(*rule, 1, 1, 0.5);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.9, "acc"), kGo);
  EXPECT_EQ(verdict(*rule, 2, 1, 0.4), kGo);
}

// A rule naming its own metric minimises it, whatever the sweep's goal; naming the sweep's
// metric keeps its goal.
TEST(AshaRuleTest, MetricAndGoalFollowTheSpec) {
  auto own = asha(settings({}), Goal::kMaximize, "step", "val_loss");
  EXPECT_THAT(own->metrics(), ElementsAre("val_loss"));
  verdict(*own, 1, 1, 0.5, "val_loss");
  EXPECT_EQ(verdict(*own, 2, 1, 0.9, "val_loss"),
            "rung 1: val_loss 0.9 is not in the top 1/3 (cut-off 0.5)");
  auto same = asha(settings({}), Goal::kMaximize, "step", "loss");
  verdict(*same, 1, 1, 0.5);
  EXPECT_EQ(verdict(*same, 2, 1, 0.9), kGo);
}

// resource epoch, eta 2: rungs 1, 2, 4, ... in epochs, each paired with the loss of its step.
TEST(AshaRuleTest, ANamedResourceIsPairedWithTheMetricByStep) {
  auto rule = asha(settings({{"eta", 2}}), Goal::kMinimize, "epoch");
  EXPECT_THAT(rule->metrics(), ElementsAre("loss", "epoch"));
  EXPECT_EQ(verdict(*rule, 1, 10, 0.5), kGo);
  EXPECT_EQ(verdict(*rule, 1, 10, 7.0), kGo);  // the same step again: the first value counts
  EXPECT_EQ(verdict(*rule, 1, 10, 1.0, "epoch"), kGo);
  EXPECT_EQ(verdict(*rule, 2, 20, 1.0, "epoch"), kGo);  // the resource may come first
  EXPECT_EQ(verdict(*rule, 2, 20, 0.8),
            "rung 1 (epoch): loss 0.8 is not in the top 1/2 (cut-off 0.5)");
  // Different steps are not a pair; a NaN resource reaches no rung.
  EXPECT_EQ(verdict(*rule, 3, 5, 100.0), kGo);
  EXPECT_EQ(verdict(*rule, 3, 6, 1.0, "epoch"), kGo);
  EXPECT_EQ(verdict(*rule, 3, 7, kNan, "epoch"), kGo);
  EXPECT_EQ(verdict(*rule, 3, 7, 100.0), kGo);
  // A fractional resource reaches the rungs below it: 2.5 epochs, rung 2.
  EXPECT_EQ(verdict(*rule, 1, 30, 2.5, "epoch"), kGo);
  EXPECT_EQ(verdict(*rule, 1, 30, 0.3), kGo);
  EXPECT_EQ(verdict(*rule, 3, 40, 0.4), kGo);
  EXPECT_EQ(verdict(*rule, 3, 40, 2.0, "epoch"),
            "rung 2 (epoch): loss 0.4 is not in the top 1/2 (cut-off 0.3)");
}

TEST(AshaRuleTest, AResourceThatIsTheMetricItselfIsWatchedOnce) {
  auto rule = asha(settings({}), Goal::kMaximize, "score", "score");
  EXPECT_THAT(rule->metrics(), ElementsAre("score"));
  // Minimised (a metric of its own): 3.5 reaches rung 3, and is worse than the cut-off 3.
  EXPECT_EQ(verdict(*rule, 1, 0, 3.0, "score"), kGo);
  EXPECT_EQ(verdict(*rule, 2, 0, 3.5, "score"),
            "rung 3 (score): score 3.5 is not in the top 1/3 (cut-off 3.0)");
}

TEST(AshaRuleTest, SettingsComeFromTheSweepFile) {
  SweepSpec spec = labsweep::testing::valid_spec(
      "method: random\nmetric: {name: acc, goal: maximize}\nprogram: t.py\n"
      "parameters: {a: {min: 0.0, max: 1.0}}\n"
      "labsweep:\n  early_stopping:\n"
      "    - {type: asha, min_resource: 2, max_resource: 50, eta: 4, grace_period: 3}\n");
  ASSERT_EQ(spec.labsweep.early_stopping.size(), 1u);
  auto rule = make_asha_rule(spec.labsweep.early_stopping[0], *spec.metric);
  EXPECT_THAT(rule->metrics(), ElementsAre("acc"));
  // Rungs 2, 8, 32, less rung 2 for the grace period.
  EXPECT_EQ(verdict(*rule, 1, 7, 0.9, "acc"), kGo);
  EXPECT_EQ(verdict(*rule, 2, 7, 0.1, "acc"), kGo);
  EXPECT_EQ(verdict(*rule, 1, 8, 0.9, "acc"), kGo);
  EXPECT_EQ(verdict(*rule, 2, 8, 0.8, "acc"),
            "rung 8: acc 0.8 is not in the top 1/4 (cut-off 0.9)");
  EXPECT_EQ(verdict(*rule, 3, 49, 0.5, "acc"), kGo);
  EXPECT_EQ(verdict(*rule, 4, 50, 0.4, "acc"),
            "rung 32: acc 0.4 is not in the top 1/4 (cut-off 0.5)");
}

// Many trials with ties and NaNs against the documented cut-off computed from a sorted copy.
TEST(AshaRuleTest, AgreesWithASortedCopyOnManyTrials) {
  auto rule = asha(settings({{"eta", 4}}));
  std::mt19937_64 random(7);
  std::vector<double> earlier;
  for (int64_t trial = 0; trial < 2000; ++trial) {
    uint64_t draw = random() % 50;
    double value = draw == 0 ? kNan : static_cast<double>(draw % 20) / 8;
    std::vector<double> sorted = earlier;
    std::sort(sorted.begin(), sorted.end());
    bool stop = false;
    if (!sorted.empty()) {
      size_t lo = (sorted.size() - 1) / 4;
      double frac = static_cast<double>((sorted.size() - 1) % 4) / 4;
      double cutoff = frac == 0 ? sorted[lo]
                      : std::isinf(sorted[lo + 1])
                          ? kInf
                          : sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
      double loss = std::isnan(value) ? kInf : value;
      stop = loss > cutoff;
    }
    earlier.push_back(std::isnan(value) ? kInf : value);
    ASSERT_EQ(rule->report({trial, "loss", 1, value}).stop, stop) << "trial " << trial;
  }
}

}  // namespace
}  // namespace labsweep::sweeps
