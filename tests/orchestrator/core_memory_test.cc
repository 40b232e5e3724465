// What the core keeps in memory while a sweep runs: trials only while they are pending or
// running, new ones only for a free slot, nothing of ended trials or of acknowledged messages.

#include <gmock/gmock.h>

#include "tests/orchestrator/core_fixture.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

// Runs every trial assigned to `peer` to its end (started, one point, ended), numbering the
// agent's data messages from `seq`; returns how many ran.
class CoreMemoryTest : public CoreTest {
 protected:
  int run_assigned(const PeerId& peer) {
    auto assigned = outbox_.take<protocol::Assign>(peer);
    for (const protocol::Assign& a : assigned) {
      send(peer, protocol::TrialStarted{.seq = ++seq_, .trial_id = a.trial_id, .time_ms = 1});
      send(peer,
           protocol::Metrics{.seq = ++seq_,
                             .trial_id = a.trial_id,
                             .points = {{.step = 0, .name = "loss", .value = 1, .time_ms = 1}}});
      send(peer, protocol::TrialEnded{.seq = ++seq_,
                                      .trial_id = a.trial_id,
                                      .exit_code = 0,
                                      .signal = 0,
                                      .stopped = false,
                                      .stderr_tail = "",
                                      .time_ms = 2});
    }
    return static_cast<int>(assigned.size());
  }
  uint64_t seq_ = 0;
};

TEST_F(CoreMemoryTest, EndedTrialsLeaveMemoryAndOnlySlotsGetNewOnes) {
  hello("peer-a", "cpu01", {}, /*cpu_slots=*/3);
  store::SweepId sweep = submit(grid(200));
  EXPECT_EQ(core_->live_trials(), 3u) << "one per free slot; the grid's other points wait";
  int ran = 0;
  while (int now = run_assigned("peer-a")) {
    ran += now;
    EXPECT_LE(core_->live_trials(), 3u) << "after " << ran << " trials";
  }
  EXPECT_EQ(ran, 200);
  EXPECT_EQ(core_->live_trials(), 0u);
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kCompleted);
  std::vector<LiveAgent> agents = core_->agents();
  ASSERT_THAT(agents, SizeIs(1));
  EXPECT_THAT(agents[0].running_trials, IsEmpty());
  EXPECT_EQ(agents[0].slots_used, 0);
  // Every message was acknowledged: nothing of them waits in the core.
  auto acks = outbox_.take<protocol::Ack>("peer-a");
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().seq, seq_);
}

TEST_F(CoreMemoryTest, RequeuedTrialsAreKeptUntilTheyRunAgain) {
  hello("peer-a", "cpu01", {}, /*cpu_slots=*/2);
  submit(grid(10, "  max_retries: 1\n"));
  ASSERT_EQ(core_->live_trials(), 2u);
  // The agent goes silent: its two trials end lost and are requeued, kept as pending.
  advance(core_->agent_deadline() + std::chrono::milliseconds(1));
  EXPECT_EQ(core_->live_trials(), 2u);
  hello("peer-b", "cpu02", {}, /*cpu_slots=*/2);
  while (run_assigned("peer-b") > 0) {
  }
  EXPECT_EQ(core_->live_trials(), 0u);
}

}  // namespace
}  // namespace labsweep::orchestrator
