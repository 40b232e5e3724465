#include "agent/metric_batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using std::chrono::milliseconds;

protocol::MetricPoint point(int64_t step) { return {step, "loss", 1.0, 5}; }

TEST(MetricBatcherTest, CoalescesATrialsPointsUntilTheDelayPasses) {
  FakeClock clock;
  MetricBatcher batcher(clock, 100, milliseconds(50));
  batcher.add(1, point(0));
  clock.advance(milliseconds(30));
  batcher.add(1, point(1));
  batcher.add(2, point(0));
  EXPECT_TRUE(batcher.take_due().empty());
  EXPECT_EQ(batcher.next_deadline(), clock.now() + milliseconds(20));
  clock.advance(milliseconds(20));
  std::vector<protocol::Metrics> due = batcher.take_due();
  ASSERT_EQ(due.size(), 1u);  // trial 2's point is only 20 ms old
  EXPECT_EQ(due[0].trial_id, 1);
  EXPECT_EQ(due[0].points, (std::vector<protocol::MetricPoint>{point(0), point(1)}));
  EXPECT_EQ(batcher.pending_points(), 1u);
}

TEST(MetricBatcherTest, FlushesAtOnceWhenEnoughPointsArePending) {
  FakeClock clock;
  MetricBatcher batcher(clock, 3, milliseconds(50));
  for (int i = 0; i < 3; ++i) batcher.add(1, point(i));
  EXPECT_EQ(batcher.next_deadline(), clock.now());
  ASSERT_EQ(batcher.take_due().size(), 1u);
  EXPECT_FALSE(batcher.next_deadline().has_value());
}

TEST(MetricBatcherTest, TakeEmptiesOneTrial) {
  FakeClock clock;
  MetricBatcher batcher(clock, 100, milliseconds(50));
  EXPECT_FALSE(batcher.take(1).has_value());
  batcher.add(1, point(0));
  batcher.add(2, point(0));
  EXPECT_EQ(batcher.take(1)->points.size(), 1u);
  EXPECT_FALSE(batcher.take(1).has_value());
  EXPECT_EQ(batcher.pending_points(), 1u);
}

}  // namespace
}  // namespace labsweep::agent
