// StoreReader::best_trials and best_value: a sweep's trials ranked by one metric, from the
// summaries' indexes (ties, NaN, trials without values, other sweeps and metrics, paging).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/statement.h"
#include "store/store_reader.h"
#include "tests/store/store_fixture.h"

namespace labsweep::store {
namespace {

using ::testing::ElementsAre;
using testing::FailsWith;
using ::testing::IsEmpty;
using testing::IsOk;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class BestTrialsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    sweep_ = make_sweep("ranked");
    for (int i = 0; i < 7; ++i) trial_.push_back(make_trial(sweep_, i));
    // trial_[0]: loss min 0.5 (step 1), max 0.9
    // trial_[1]: loss min 0.2 (step 2), max 0.8
    // trial_[2]: loss min 0.5 (step 0), max 0.5  (ties trial_[0] on the minimum)
    // trial_[3]: loss only NaN
    // trial_[4]: no points at all
    // trial_[5]: only another metric
    // trial_[6]: loss min 0.2 (step 3), max 0.95 (ties trial_[1] on the minimum)
    points(trial_[0], "loss", {0.9, 0.5, 0.7});
    points(trial_[1], "loss", {0.8, 0.6, 0.2});
    points(trial_[2], "loss", {0.5});
    points(trial_[3], "loss", {kNaN, kNaN});
    points(trial_[5], "acc", {0.1});
    points(trial_[6], "loss", {0.95, kNaN, 0.3, 0.2});
    // Another sweep's better values never count.
    SweepId other = make_sweep("other");
    points(make_trial(other, 0), "loss", {-5.0, 50.0});
  }

  void points(TrialId trial, const std::string& key, const std::vector<double>& values) {
    AddMetricPoints op;
    for (size_t step = 0; step < values.size(); ++step) {
      op.points.push_back({trial, key, static_cast<int64_t>(step), values[step], 0});
    }
    must(std::move(op));
  }

  std::vector<int64_t> best(BestTrialsQuery query, SweepId sweep = {}) {
    Result<std::vector<TrialView>> views =
        reader().best_trials(sweep.value ? sweep : sweep_, query);
    EXPECT_THAT(views, IsOk());
    std::vector<int64_t> ids;
    if (!views) return ids;
    for (const TrialView& view : *views) ids.push_back(view.trial.id.value);
    return ids;
  }
  int64_t id(int index) const { return trial_[index].value; }

  SweepId sweep_;
  std::vector<TrialId> trial_;
};

TEST_F(BestTrialsTest, MinimiseRanksByLowestValueTiesByIdThenTrialsWithoutAValueInIdOrder) {
  EXPECT_THAT(best({.metric = "loss"}),
              ElementsAre(id(1), id(6), id(0), id(2), id(3), id(4), id(5)));
}

TEST_F(BestTrialsTest, MaximiseRanksByHighestValue) {
  EXPECT_THAT(best({.metric = "loss", .goal = MetricGoal::kMaximize}),
              ElementsAre(id(6), id(0), id(1), id(2), id(3), id(4), id(5)));
}

TEST_F(BestTrialsTest, ViewsCarryTheTrialAndItsSummaries) {
  Result<std::vector<TrialView>> views =
      reader().best_trials(sweep_, {.metric = "loss", .limit = 1});
  ASSERT_THAT(views, IsOk());
  ASSERT_EQ(views->size(), 1u);
  Result<TrialView> direct = reader().trial(trial_[1]);
  ASSERT_THAT(direct, IsOk());
  EXPECT_EQ((*views)[0], *direct);
  ASSERT_EQ((*views)[0].summaries.size(), 1u);
  EXPECT_EQ((*views)[0].summaries[0].min, (MetricExtreme{0.2, 2}));
}

TEST_F(BestTrialsTest, PagesByOffsetAcrossTheRankedAndUnrankedTrials) {
  std::vector<int64_t> all = best({.metric = "loss"});
  for (int64_t size : {1, 2, 3, 4, 7}) {
    std::vector<int64_t> paged;
    for (int64_t offset = 0; offset < 9; offset += size) {
      std::vector<int64_t> page = best({.metric = "loss", .offset = offset, .limit = size});
      EXPECT_LE(static_cast<int64_t>(page.size()), size);
      paged.insert(paged.end(), page.begin(), page.end());
    }
    EXPECT_EQ(paged, all) << "pages of " << size;
  }
  EXPECT_THAT(best({.metric = "loss", .offset = 7}), IsEmpty());
  EXPECT_THAT(best({.metric = "loss", .offset = 5}), ElementsAre(id(4), id(5)));
  EXPECT_THAT(best({.metric = "loss", .offset = 3, .limit = 2}), ElementsAre(id(2), id(3)));
}

TEST_F(BestTrialsTest, AMetricNoTrialReportedRanksEveryTrialInIdOrder) {
  EXPECT_THAT(best({.metric = "never"}),
              ElementsAre(id(0), id(1), id(2), id(3), id(4), id(5), id(6)));
  EXPECT_THAT(best({.metric = "", .offset = 5}), ElementsAre(id(5), id(6)));
}

TEST_F(BestTrialsTest, AnUnknownSweepIsNotFoundAndAnEmptyOneHasNoTrials) {
  EXPECT_THAT(reader().best_trials(SweepId{99}, {.metric = "loss"}),
              FailsWith(StatusCode::kNotFound, "sweep 99 does not exist"));
  EXPECT_THAT(best({.metric = "loss"}, make_sweep("empty")), IsEmpty());
}

TEST_F(BestTrialsTest, BestValueIsTheFirstReachedOnTheLowestTrialId) {
  Result<std::optional<BestValue>> min = reader().best_value(sweep_, "loss", MetricGoal::kMinimize);
  ASSERT_THAT(min, IsOk());
  EXPECT_EQ(*min, (BestValue{0.2, trial_[1], 2}));
  Result<std::optional<BestValue>> max = reader().best_value(sweep_, "loss", MetricGoal::kMaximize);
  ASSERT_THAT(max, IsOk());
  EXPECT_EQ(*max, (BestValue{0.95, trial_[6], 0}));
}

TEST_F(BestTrialsTest, BestValueIsAbsentWithoutAFiniteValue) {
  SweepId nan_only = make_sweep("nan only");
  points(make_trial(nan_only, 0), "loss", {kNaN});
  for (SweepId sweep : {nan_only, make_sweep("empty")}) {
    Result<std::optional<BestValue>> best =
        reader().best_value(sweep, "loss", MetricGoal::kMinimize);
    ASSERT_THAT(best, IsOk());
    EXPECT_FALSE(best->has_value());
  }
  Result<std::optional<BestValue>> unknown =
      reader().best_value(sweep_, "never", MetricGoal::kMinimize);
  ASSERT_THAT(unknown, IsOk());
  EXPECT_FALSE(unknown->has_value());
  EXPECT_THAT(reader().best_value(SweepId{99}, "loss", MetricGoal::kMinimize),
              FailsWith(StatusCode::kNotFound, "sweep 99 does not exist"));
}

TEST_F(BestTrialsTest, ARankingFollowsNewPoints) {
  points(trial_[4], "loss", {0.1});
  EXPECT_THAT(best({.metric = "loss", .limit = 2}), ElementsAre(id(4), id(1)));
  // A NaN-only summary that gets a finite value joins the ranking.
  AddMetricPoints late;
  late.points.push_back({trial_[3], "loss", 5, 0.05, 0});
  must(std::move(late));
  EXPECT_THAT(best({.metric = "loss", .limit = 2}), ElementsAre(id(3), id(4)));
}

// The ranking is an index range: no sort over the sweep's trials. EXPLAIN QUERY PLAN names the
// index and no temporary b-tree.
TEST_F(BestTrialsTest, TheRankingWalksAnIndexWithoutSorting) {
  Result<Connection> db =
      Connection::open(db_path(), AccessMode::kReadOnly, std::chrono::milliseconds(1000));
  ASSERT_THAT(db, IsOk());
  for (const char* order : {"min_value, trial_id", "max_value DESC, trial_id"}) {
    std::string column = std::string(order).substr(0, 9);
    Result<Statement> explain = Statement::prepare(
        *db,
        "EXPLAIN QUERY PLAN SELECT trial_id FROM trial_summaries WHERE sweep_id = 1 AND "
        "key_id = 1 AND " +
            column + " IS NOT NULL ORDER BY " + order + " LIMIT 20");
    ASSERT_THAT(explain, IsOk());
    std::string plan;
    for (;;) {
      Result<bool> row = explain->step();
      ASSERT_THAT(row, IsOk());
      if (!*row) break;
      plan += explain->text(3) + "\n";
    }
    EXPECT_THAT(plan, ::testing::HasSubstr("trial_summaries_by_" + column.substr(0, 3))) << plan;
    EXPECT_THAT(plan, ::testing::Not(::testing::HasSubstr("TEMP B-TREE"))) << plan;
  }
}

}  // namespace
}  // namespace labsweep::store
