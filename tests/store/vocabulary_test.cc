#include <gtest/gtest.h>

#include <unordered_set>

#include "store/agent_state.h"
#include "store/ids.h"
#include "store/sweep_state.h"
#include "store/trial_status.h"

namespace labsweep::store {
namespace {

TEST(TrialStatusTest, NamesRoundTrip) {
  for (TrialStatus status : kAllTrialStatuses) {
    EXPECT_EQ(parse_trial_status(to_string(status)), status) << to_string(status);
  }
  EXPECT_EQ(to_string(TrialStatus::kPending), "pending");
  EXPECT_EQ(to_string(TrialStatus::kLost), "lost");
}

TEST(TrialStatusTest, UnknownNamesAreRefused) {
  EXPECT_EQ(parse_trial_status("Running"), std::nullopt);  // case-sensitive
  EXPECT_EQ(parse_trial_status(""), std::nullopt);
  EXPECT_EQ(parse_trial_status("done"), std::nullopt);
}

TEST(TrialStatusTest, FinalStatusesHoldNoSlot) {
  EXPECT_FALSE(is_final(TrialStatus::kPending));
  EXPECT_FALSE(is_final(TrialStatus::kRunning));
  EXPECT_TRUE(is_final(TrialStatus::kCompleted));
  EXPECT_TRUE(is_final(TrialStatus::kFailed));
  EXPECT_TRUE(is_final(TrialStatus::kStopped));
  EXPECT_TRUE(is_final(TrialStatus::kLost));
}

TEST(SweepStateTest, NamesRoundTrip) {
  for (SweepState state : kAllSweepStates) {
    EXPECT_EQ(parse_sweep_state(to_string(state)), state) << to_string(state);
  }
  EXPECT_EQ(to_string(SweepState::kStopped), "stopped");
  EXPECT_EQ(parse_sweep_state("paused"), std::nullopt);
}

TEST(AgentStateTest, NamesRoundTrip) {
  for (AgentState state : kAllAgentStates) {
    EXPECT_EQ(parse_agent_state(to_string(state)), state) << to_string(state);
  }
  EXPECT_EQ(to_string(AgentState::kOnline), "online");
  EXPECT_EQ(parse_agent_state("ONLINE"), std::nullopt);
}

TEST(IdsTest, CompareAndHashByValue) {
  EXPECT_EQ(TrialId{3}, TrialId{3});
  EXPECT_LT(TrialId{3}, TrialId{4});
  EXPECT_NE(SweepId{1}, SweepId{2});
  std::unordered_set<AgentId> agents = {AgentId{1}, AgentId{1}, AgentId{2}};
  EXPECT_EQ(agents.size(), 2u);
  static_assert(!std::is_convertible_v<TrialId, SweepId>, "ids are distinct types");
}

}  // namespace
}  // namespace labsweep::store
