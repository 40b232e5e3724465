// A sweep's objective read back from its stored file. The best value is the store's
// (tests/store/best_trials_test.cc).

#include "orchestrator/sweep_objective.h"

#include <gtest/gtest.h>

namespace labsweep::orchestrator {
namespace {

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

TEST(SweepObjectiveCacheTest, FindsOnlyWhatGetHasRead) {
  SweepObjectiveCache cache;
  store::SweepRecord sweep{.id = store::SweepId{3},
                           .spec_text =
                               "method: grid\nprogram: t.py\nmetric: {name: acc}\n"
                               "parameters:\n  a:\n    values: [1, 2]\n"};
  EXPECT_EQ(cache.find(sweep.id), std::nullopt);
  EXPECT_EQ(cache.get(sweep).metric, "acc");
  std::optional<SweepObjective> found = cache.find(sweep.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->metric, "acc");
  EXPECT_EQ(found->planned_trials, 2u);
  EXPECT_EQ(cache.find(store::SweepId{4}), std::nullopt);
}

TEST(MetricGoalTest, NamesTheSweepFilesGoalForTheStore) {
  EXPECT_EQ(metric_goal(sweeps::Goal::kMinimize), store::MetricGoal::kMinimize);
  EXPECT_EQ(metric_goal(sweeps::Goal::kMaximize), store::MetricGoal::kMaximize);
}

}  // namespace
}  // namespace labsweep::orchestrator
