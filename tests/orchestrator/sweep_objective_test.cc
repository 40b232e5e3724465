// A sweep's objective read back from its stored file, and the best value over pages of trials.

#include "orchestrator/sweep_objective.h"

#include <gtest/gtest.h>

#include <cmath>

namespace labsweep::orchestrator {
namespace {

store::TrialView trial_with(int64_t id, const std::string& key, std::optional<double> min,
                            std::optional<double> max, int64_t step) {
  store::TrialView view;
  view.trial.id = store::TrialId{id};
  store::MetricSummary summary{.key = key, .count = 1, .last_step = step};
  if (min) summary.min = store::MetricExtreme{*min, step};
  if (max) summary.max = store::MetricExtreme{*max, step};
  view.summaries.push_back(summary);
  return view;
}

TEST(ReadObjectiveTest, ReadsTheMetricGoalAndPlannedTrials) {
  SweepObjective objective = read_objective(
      "method: grid\nprogram: t.py\nrun_cap: 4\nmetric:\n  name: acc\n  goal: maximize\n"
      "parameters:\n  a:\n    values: [1, 2, 3]\n  b:\n    values: [1, 2]\n",
      1);
  EXPECT_EQ(objective.metric, "acc");
  EXPECT_EQ(objective.goal, sweeps::Goal::kMaximize);
  EXPECT_EQ(objective.planned_trials, 4u);  // the grid's 6, capped by run_cap
}

TEST(ReadObjectiveTest, AFileThatNoLongerReadsHasNoMetricAndNoPlan) {
  SweepObjective objective = read_objective("method: [unclosed", 1);
  EXPECT_EQ(objective.metric, std::nullopt);
  EXPECT_EQ(objective.planned_trials, std::nullopt);
}

TEST(BestValueTrackerTest, MinimisesOverPagesKeepingTheEarlierTrialOnTies) {
  BestValueTracker tracker("loss", sweeps::Goal::kMinimize);
  EXPECT_FALSE(tracker.best().has_value());
  tracker.add({trial_with(5, "loss", 0.5, 0.9, 3), trial_with(6, "other", -1.0, -1.0, 1)});
  tracker.add({trial_with(7, "loss", std::nullopt, std::nullopt, 0),  // all NaN so far
               trial_with(8, "loss", 0.25, 0.9, 4)});
  tracker.add({trial_with(9, "loss", 0.25, 0.9, 1), trial_with(3, "loss", 0.25, 0.3, 9)});
  ASSERT_TRUE(tracker.best().has_value());
  EXPECT_EQ(tracker.best()->value, 0.25);
  EXPECT_EQ(tracker.best()->trial, store::TrialId{3});
  EXPECT_EQ(tracker.best()->step, 9);
}

TEST(BestValueTrackerTest, MaximisesOnTheMaximum) {
  BestValueTracker tracker("acc", sweeps::Goal::kMaximize);
  tracker.add({trial_with(1, "acc", 0.1, 0.7, 2), trial_with(2, "acc", 0.0, 0.8, 5)});
  ASSERT_TRUE(tracker.best().has_value());
  EXPECT_EQ(tracker.best()->value, 0.8);
  EXPECT_EQ(tracker.best()->trial, store::TrialId{2});
}

}  // namespace
}  // namespace labsweep::orchestrator
