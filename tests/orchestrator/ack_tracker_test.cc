#include "orchestrator/ack_tracker.h"

#include <gtest/gtest.h>

namespace labsweep::orchestrator {
namespace {

TEST(AckTrackerTest, AcksTheCommittedPrefixOnly) {
  AckTracker acks;
  auto one = acks.receive(1);
  auto two = acks.receive(2);
  auto three = acks.receive(3);
  ASSERT_TRUE(one && two && three);
  EXPECT_EQ(acks.commit(*two), std::nullopt);  // 1 is not committed yet
  EXPECT_EQ(acks.commit(*one), 2u);
  EXPECT_EQ(acks.commit(*three), 3u);
  EXPECT_EQ(acks.acked(), 3u);
}

TEST(AckTrackerTest, ANumberNotAboveTheHighestSeenIsAResend) {
  AckTracker acks;
  auto five = acks.receive(5);  // numbering may start anywhere (a reconnect resends from 5)
  ASSERT_TRUE(five);
  EXPECT_FALSE(acks.receive(5));
  EXPECT_FALSE(acks.receive(4));
  EXPECT_TRUE(acks.receive(6));
}

TEST(AckTrackerTest, ResetForgetsTheOldConnection) {
  AckTracker acks;
  auto old = acks.receive(1);
  acks.reset();
  EXPECT_EQ(acks.commit(*old), std::nullopt);
  auto again = acks.receive(1);
  ASSERT_TRUE(again);
  EXPECT_EQ(acks.commit(*again), 1u);
}

TEST(AckTrackerTest, AFailureHoldsAcksAndTakesResendsAsNew) {
  AckTracker acks;
  auto one = acks.receive(1);
  auto two = acks.receive(2);
  auto three = acks.receive(3);
  EXPECT_EQ(acks.commit(*one), 1u);
  acks.fail(*two);
  EXPECT_EQ(acks.commit(*three), std::nullopt);  // later than the failure: not acknowledged
  EXPECT_EQ(acks.acked(), 1u);
  EXPECT_FALSE(acks.receive(1));
  auto resent = acks.receive(2);
  ASSERT_TRUE(resent);
  EXPECT_EQ(acks.commit(*resent), 2u);
}

}  // namespace
}  // namespace labsweep::orchestrator
