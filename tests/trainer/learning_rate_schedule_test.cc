// The learning rate of each batch under each schedule and with warm-up.

#include "trainer/learning_rate_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labsweep::trainer {
namespace {

ScheduleConfig config(ScheduleKind kind, double warmup = 0) {
  ScheduleConfig c;
  c.kind = kind;
  c.lr = 0.1f;
  c.warmup_epochs = warmup;
  c.step_size = 2;
  c.gamma = 0.5f;
  return c;
}

TEST(LearningRateScheduleTest, ConstantKeepsTheBaseRate) {
  LearningRateSchedule s(config(ScheduleKind::kConstant), 10, 5);
  EXPECT_FLOAT_EQ(s.at(0, 0), 0.1f);
  EXPECT_FLOAT_EQ(s.at(4, 9), 0.1f);
}

TEST(LearningRateScheduleTest, StepDecaysEveryStepSizeEpochs) {
  LearningRateSchedule s(config(ScheduleKind::kStep), 10, 6);
  EXPECT_FLOAT_EQ(s.at(0, 0), 0.1f);
  EXPECT_FLOAT_EQ(s.at(1, 9), 0.1f);
  EXPECT_FLOAT_EQ(s.at(2, 0), 0.05f);
  EXPECT_FLOAT_EQ(s.at(3, 5), 0.05f);
  EXPECT_FLOAT_EQ(s.at(4, 0), 0.025f);
}

TEST(LearningRateScheduleTest, CosineFallsFromTheBaseRateToNearZeroPerBatch) {
  LearningRateSchedule s(config(ScheduleKind::kCosine), 10, 4);  // 40 batches
  EXPECT_FLOAT_EQ(s.at(0, 0), 0.1f);
  EXPECT_NEAR(s.at(2, 0), 0.05f, 1e-7);  // half way
  EXPECT_NEAR(s.at(3, 9), 0.1 * 0.5 * (1 + std::cos(M_PI * 39 / 40)), 1e-7);
  for (int e = 0; e < 4; ++e) {
    for (int b = 1; b < 10; ++b) EXPECT_LT(s.at(e, b), s.at(e, b - 1));
  }
}

TEST(LearningRateScheduleTest, WarmupRisesLinearlyOverItsBatchesThenFollowsTheSchedule) {
  LearningRateSchedule s(config(ScheduleKind::kConstant, 0.5), 10, 3);  // 5 warm-up batches
  EXPECT_FLOAT_EQ(s.at(0, 0), 0.02f);
  EXPECT_FLOAT_EQ(s.at(0, 1), 0.04f);
  EXPECT_FLOAT_EQ(s.at(0, 4), 0.1f);
  EXPECT_FLOAT_EQ(s.at(0, 5), 0.1f);
  LearningRateSchedule cosine(config(ScheduleKind::kCosine, 1), 10, 3);
  EXPECT_FLOAT_EQ(cosine.at(0, 9), 0.1f);  // the cosine starts after the warm-up
  EXPECT_FLOAT_EQ(cosine.at(1, 0), 0.1f);
  EXPECT_NEAR(cosine.at(2, 0), 0.05f, 1e-7);
}

TEST(LearningRateScheduleTest, WarmupLongerThanTheRunIsCutToTheRun) {
  LearningRateSchedule s(config(ScheduleKind::kConstant, 100), 4, 2);
  EXPECT_FLOAT_EQ(s.at(0, 0), 0.1f / 8);
  EXPECT_FLOAT_EQ(s.at(1, 3), 0.1f);
}

TEST(LearningRateScheduleTest, EpochRatesGiveOneRatePerBatch) {
  LearningRateSchedule s(config(ScheduleKind::kStep), 3, 4);
  EXPECT_THAT(s.epoch_rates(2), ::testing::ElementsAre(0.05f, 0.05f, 0.05f));
}

}  // namespace
}  // namespace labsweep::trainer
