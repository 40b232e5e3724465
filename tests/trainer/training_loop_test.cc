// The epochs around a backend: shuffled orders from the seed, the schedule's rates, reports per
// epoch with times from the injected clock, the test set at the end, and stops between batches.

#include "trainer/training_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "tests/support/fake_clock.h"
#include "tests/trainer/fake_backend.h"

namespace labsweep::trainer {
namespace {

using labsweep::testing::FakeClock;
using ::testing::ElementsAre;
using testing::FakeBackend;

class RecordingObserver final : public TrainingObserver {
 public:
  void on_epoch(const EpochReport& r) override { epochs.push_back(r); }
  void on_finish(const FinalReport& r) override { finished.push_back(r); }
  std::vector<EpochReport> epochs;
  std::vector<FinalReport> finished;
};

Dataset rows_of(int rows) {
  Dataset d{rows, 3, 10, std::vector<float>(static_cast<size_t>(rows) * 3, 0.5f),
            std::vector<int32_t>(static_cast<size_t>(rows), 1)};
  return d;
}

class TrainingLoopTest : public ::testing::Test {
 protected:
  TrainingLoopTest() {
    data_.train = rows_of(10);
    data_.validation = rows_of(4);
    data_.test = rows_of(6);
    flags_.model.inputs = 3;
    flags_.model.hidden = {5};
    flags_.epochs = 3;
    flags_.batch_size = 4;  // 3 batches: 4, 4, 2
    flags_.seed = 42;
    flags_.schedule.kind = ScheduleKind::kCosine;
    flags_.schedule.lr = 0.1f;
    // Each batch takes half a second of the fake clock.
    backend_.on_batch = [this](int, int) { clock_.advance(std::chrono::milliseconds(500)); };
  }

  FinalReport run() { return run_training(backend_, data_, flags_, stop_, clock_, observer_); }

  SplitData data_;
  TrainFlags flags_;
  FakeBackend backend_;
  FakeClock clock_;
  std::atomic<bool> stop_{false};
  RecordingObserver observer_;
};

TEST_F(TrainingLoopTest, EachEpochTakesAShuffleFromTheSeedAndTheSchedulesRates) {
  run();
  EXPECT_EQ(backend_.parameters(), initial_parameters(flags_.model, 42));
  EXPECT_THAT(backend_.rows, ElementsAre(10, 4, 6));
  ASSERT_EQ(backend_.plans.size(), 3u);
  LearningRateSchedule schedule(flags_.schedule, 3, 3);
  std::vector<int32_t> identity(10);
  std::iota(identity.begin(), identity.end(), 0);
  for (int e = 0; e < 3; ++e) {
    const testing::RecordedPlan& plan = backend_.plans[static_cast<size_t>(e)];
    EXPECT_EQ(plan.epoch, e);
    EXPECT_EQ(plan.seed, 42u);
    EXPECT_EQ(plan.batch_size, 4);
    EXPECT_EQ(plan.learning_rates, schedule.epoch_rates(e));
    EXPECT_EQ(plan.order, epoch_order(10, 42, e));
    std::vector<int32_t> sorted = plan.order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, identity);
  }
  EXPECT_NE(backend_.plans[0].order, backend_.plans[1].order);
  EXPECT_NE(backend_.plans[0].order, identity);
}

TEST_F(TrainingLoopTest, ReportsEveryEpochThenTheTestSet) {
  FinalReport final_report = run();
  EXPECT_THAT(backend_.evaluations, ElementsAre(Split::kValidation, Split::kValidation,
                                                Split::kValidation, Split::kTest));
  ASSERT_EQ(observer_.epochs.size(), 3u);
  const EpochReport& second = observer_.epochs[1];
  EXPECT_EQ(second.epoch, 2);
  EXPECT_DOUBLE_EQ(second.train_loss, 0.5);
  EXPECT_EQ(second.samples, 10);
  EXPECT_DOUBLE_EQ(second.epoch_time_s, 1.5);
  EXPECT_DOUBLE_EQ(second.samples_per_s, 10 / 1.5);
  EXPECT_FLOAT_EQ(second.last_lr, backend_.plans[1].learning_rates[2]);
  ASSERT_TRUE(second.validation.has_value());
  EXPECT_DOUBLE_EQ(second.validation->mean_loss, 0.25);
  EXPECT_FALSE(final_report.stopped);
  EXPECT_EQ(final_report.epochs_completed, 3);
  ASSERT_TRUE(final_report.test.has_value());
  EXPECT_EQ(final_report.test->rows, 6);
  ASSERT_EQ(observer_.finished.size(), 1u);
  EXPECT_EQ(observer_.finished[0].test->rows, 6);
}

TEST_F(TrainingLoopTest, AStopBetweenBatchesReportsThePartialEpochAndSkipsTheTestSet) {
  backend_.on_batch = [this](int epoch, int batch) {
    clock_.advance(std::chrono::milliseconds(500));
    if (epoch == 1 && batch == 0) stop_.store(true);
  };
  FinalReport final_report = run();
  EXPECT_EQ(backend_.plans.size(), 2u);
  EXPECT_THAT(backend_.evaluations, ElementsAre(Split::kValidation));
  ASSERT_EQ(observer_.epochs.size(), 2u);
  EXPECT_EQ(observer_.epochs[1].epoch, 2);
  EXPECT_EQ(observer_.epochs[1].samples, 4);
  EXPECT_FALSE(observer_.epochs[1].validation.has_value());
  EXPECT_TRUE(final_report.stopped);
  EXPECT_EQ(final_report.epochs_completed, 1);
  EXPECT_FALSE(final_report.test.has_value());
  ASSERT_EQ(observer_.finished.size(), 1u);
  EXPECT_TRUE(observer_.finished[0].stopped);
}

TEST_F(TrainingLoopTest, AStopBeforeTheFirstBatchTrainsNothing) {
  stop_.store(true);
  FinalReport final_report = run();
  EXPECT_TRUE(backend_.plans.empty());
  EXPECT_TRUE(observer_.epochs.empty());
  EXPECT_TRUE(final_report.stopped);
  EXPECT_TRUE(backend_.evaluations.empty());
}

TEST(EpochOrderTest, IsAPermutationFixedBySeedAndEpoch) {
  std::vector<int32_t> a = epoch_order(1000, 1, 0);
  EXPECT_EQ(a, epoch_order(1000, 1, 0));
  EXPECT_NE(a, epoch_order(1000, 2, 0));
  EXPECT_NE(a, epoch_order(1000, 1, 1));
  std::sort(a.begin(), a.end());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(a[static_cast<size_t>(i)], i);
  EXPECT_TRUE(epoch_order(0, 1, 0).empty());
  EXPECT_THAT(epoch_order(1, 1, 0), ElementsAre(0));
}

TEST(BatchesPerEpochTest, CountsTheShortLastBatch) {
  EXPECT_EQ(batches_per_epoch(10, 4), 3);
  EXPECT_EQ(batches_per_epoch(8, 4), 2);
  EXPECT_EQ(batches_per_epoch(1, 128), 1);
}

}  // namespace
}  // namespace labsweep::trainer
