// The registry: hello and welcome, heartbeats, lost agents, re-adoption, replaced routes.

#include <gmock/gmock.h>

#include "tests/orchestrator/core_fixture.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST_F(CoreTest, HelloIsWelcomedAndRecorded) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1)}, 2);
  auto welcomes = outbox_.take<protocol::Welcome>("peer-a");
  ASSERT_THAT(welcomes, SizeIs(1));
  EXPECT_EQ(welcomes[0].heartbeat_interval, kHeartbeat);
  auto agents = reader_->agents();
  ASSERT_TRUE(agents);
  ASSERT_THAT(*agents, SizeIs(1));
  EXPECT_EQ((*agents)[0].name, "gpu01");
  EXPECT_EQ((*agents)[0].state, store::AgentState::kOnline);
  auto live = core_->agents();
  ASSERT_THAT(live, SizeIs(1));
  EXPECT_EQ(live[0].slots_total, 4);
  EXPECT_EQ(live[0].id, (*agents)[0].id);
}

TEST_F(CoreTest, HelloWithoutANameIsDropped) {
  hello("peer-a", "", {gpu(0)});
  EXPECT_THAT(outbox_.take<protocol::Welcome>("peer-a"), IsEmpty());
  EXPECT_EQ(core_->stats().frames_dropped, 1);
}

TEST_F(CoreTest, MessagesFromAPeerWithoutHelloAreDropped) {
  send("stranger", protocol::Metrics{.seq = 1, .trial_id = 1, .points = {}});
  send("stranger", protocol::Heartbeat{});
  EXPECT_EQ(core_->stats().frames_dropped, 2);
  EXPECT_THAT(outbox_.take<protocol::Ack>("stranger"), IsEmpty());
}

TEST_F(CoreTest, HeartbeatsGoOutEveryInterval) {
  hello("peer-a", "gpu01", {gpu(0)});
  tick();
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a"), SizeIs(1));
  advance(kHeartbeat / 2);
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a"), IsEmpty());
  advance(kHeartbeat / 2);
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a"), SizeIs(1));
}

TEST_F(CoreTest, AgentSilentPastItsDeadlineIsLostAndItsTrialsRequeued) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-b", "gpu02", {});  // no slots yet
  auto sweep = submit(grid(1, "  max_retries: 1\n"));
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(1));
  int64_t id = assigned[0].trial_id;

  // gpu02 keeps talking; gpu01 says nothing more.
  auto deadline = kHeartbeat * kMissed;
  clock_.advance(deadline - std::chrono::milliseconds(1));
  send("peer-b", protocol::Heartbeat{});
  tick();
  EXPECT_EQ(trial(id).status, store::TrialStatus::kRunning);
  EXPECT_EQ(core_->agents()[0].state, store::AgentState::kOnline);

  clock_.advance(std::chrono::milliseconds(2));
  send("peer-b", protocol::Heartbeat{});
  tick();
  EXPECT_EQ(core_->agents()[0].state, store::AgentState::kLost);
  store::TrialRecord lost = trial(id);
  EXPECT_EQ(lost.status, store::TrialStatus::kPending);  // lost, then requeued
  EXPECT_EQ(lost.attempts, 1);
  EXPECT_EQ(lost.stop_reason, "agent gpu01 lost");

  // A machine with room takes it.
  hello("peer-b", "gpu02", {gpu(0)});
  auto again = outbox_.take<protocol::Assign>("peer-b");
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].trial_id, id);
  EXPECT_EQ(trial(id).attempts, 2);
  EXPECT_THAT(trials(sweep), SizeIs(1));
}

TEST_F(CoreTest, LostTrialPastItsRetriesStaysLost) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(1));  // max_retries 0
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(1));
  advance(kHeartbeat * kMissed + std::chrono::milliseconds(1));
  EXPECT_EQ(trial(assigned[0].trial_id).status, store::TrialStatus::kLost);
}

TEST_F(CoreTest, AgentBackBeforeItsTrialIsReplacedKeepsIt) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(1, "  max_retries: 2\n"));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  advance(kHeartbeat * kMissed + std::chrono::milliseconds(1));
  ASSERT_EQ(trial(id).status, store::TrialStatus::kPending);

  hello("peer-a2", "gpu01", {gpu(0)}, 0, {id});
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a2"), IsEmpty());  // not restarted
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a2"), IsEmpty());
  store::TrialRecord record = trial(id);
  EXPECT_EQ(record.status, store::TrialStatus::kRunning);
  EXPECT_EQ(record.attempts, 1);  // the same process goes on: not another attempt
  EXPECT_THAT(core_->agents()[0].running_trials, ElementsAre(store::TrialId{id}));
}

TEST_F(CoreTest, AgentBackAfterItsTrialWasReplacedIsToldToStopIt) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-b", "gpu02", {});
  submit(grid(1, "  max_retries: 2\n"));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  clock_.advance(kHeartbeat * kMissed + std::chrono::milliseconds(1));
  send("peer-b", protocol::Heartbeat{});
  tick();
  hello("peer-b", "gpu02", {gpu(0)});
  ASSERT_THAT(outbox_.take<protocol::Assign>("peer-b"), SizeIs(1));

  hello("peer-a2", "gpu01", {gpu(0)}, 0, {id});
  auto stops = outbox_.take<protocol::Stop>("peer-a2");
  ASSERT_THAT(stops, SizeIs(1));
  EXPECT_EQ(stops[0].trial_id, id);
  store::TrialRecord record = trial(id);
  EXPECT_EQ(record.status, store::TrialStatus::kRunning);
  EXPECT_EQ(record.agent, core_->agents()[1].id);  // still gpu02's
}

TEST_F(CoreTest, AnUnknownRunningTrialIsToldToStop) {
  hello("peer-a", "gpu01", {gpu(0)}, 0, {4242});
  auto stops = outbox_.take<protocol::Stop>("peer-a");
  ASSERT_THAT(stops, SizeIs(1));
  EXPECT_EQ(stops[0].trial_id, 4242);
}

TEST_F(CoreTest, ANewRouteForAKnownNameReplacesTheOld) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-a2", "gpu01", {gpu(0)});
  send("peer-a", protocol::Heartbeat{});
  EXPECT_EQ(core_->stats().frames_dropped, 1);
  tick();
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a"), IsEmpty());
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a2"), SizeIs(1));
  EXPECT_THAT(core_->agents(), SizeIs(1));
}

TEST_F(CoreTest, ABusyGpuIsNotUsedUntilAHeartbeatSaysItIsFree) {
  hello("peer-a", "gpu01", {gpu(0, /*busy=*/true), gpu(1)});
  submit(grid(3));
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(1));
  EXPECT_THAT(assigned[0].gpus, ElementsAre(1));
  EXPECT_FALSE(core_->agents()[0].gpus[0].free);

  send("peer-a", protocol::Heartbeat{.gpus = {gpu(0), gpu(1)}});
  assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(1));
  EXPECT_THAT(assigned[0].gpus, ElementsAre(0));
}

TEST_F(CoreTest, ATrialEndedWhileTheLinkWasDownIsTakenFromTheResentOutbox) {
  hello("peer-a", "gpu01", {gpu(0)});
  auto sweep = submit(grid(1));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  // The agent reconnects without the trial in its hello, then resends its trial_ended.
  hello("peer-a2", "gpu01", {gpu(0)});
  EXPECT_THAT(core_->agents()[0].running_trials, IsEmpty());
  send("peer-a2", ended(7, id));
  EXPECT_EQ(trial(id).status, store::TrialStatus::kCompleted);
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kCompleted);
}

TEST_F(CoreTest, ATrialItsAgentNoLongerReportsIsLostAtTheDeadline) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(2, "  max_retries: 1\n"));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  hello("peer-a2", "gpu01", {gpu(0)});
  // Its slot is free meanwhile: the next trial takes it.
  auto next = outbox_.take<protocol::Assign>("peer-a2");
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_NE(next[0].trial_id, id);
  clock_.advance(kHeartbeat * kMissed);
  send("peer-a2", protocol::Heartbeat{.gpus = {gpu(0)}});
  tick();
  EXPECT_EQ(trial(id).status, store::TrialStatus::kRunning);
  clock_.advance(std::chrono::milliseconds(1));
  send("peer-a2", protocol::Heartbeat{.gpus = {gpu(0)}});
  tick();
  EXPECT_EQ(trial(id).status, store::TrialStatus::kPending);  // lost, then requeued
}

TEST_F(CoreTest, OddButDecodableMessagesAreHandledSafely) {
  // Negative or zero slot counts are read as the least that makes sense.
  hello("peer-a", "odd", {gpu(0), gpu(0)}, /*cpu_slots=*/-3, {}, /*slots_per_gpu=*/0);
  auto live = core_->agents();
  ASSERT_THAT(live, SizeIs(1));
  EXPECT_EQ(live[0].cpu_slots, 0);
  EXPECT_EQ(live[0].slots_per_gpu, 1);
  // A metric without a name, news of trials that do not exist, a query about one: refused or
  // answered, acknowledged in order, never fatal.
  send("peer-a", protocol::Metrics{.seq = 1,
                                   .trial_id = 1,
                                   .points = {{.step = -1, .name = "", .value = 1, .time_ms = 0}}});
  send("peer-a", protocol::TrialEnded{.seq = 2,
                                      .trial_id = -5,
                                      .exit_code = 0,
                                      .signal = 0,
                                      .stopped = false,
                                      .stderr_tail = "",
                                      .time_ms = -1});
  send("peer-a", protocol::TrialStarted{.seq = 3, .trial_id = 0, .time_ms = 0});
  send("peer-a", protocol::Decide{.query = 1, .trial_id = 77, .step = -1});
  auto acks = outbox_.take<protocol::Ack>("peer-a");
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().seq, 3u);
  auto decisions = outbox_.take<protocol::Decision>("peer-a");
  ASSERT_THAT(decisions, SizeIs(1));
  EXPECT_FALSE(decisions[0].stop);
  // Messages only the orchestrator sends are dropped when an agent sends them.
  send("peer-a", protocol::Ack{.seq = 1});
  send("peer-a", protocol::Welcome{});
  EXPECT_EQ(core_->stats().frames_dropped, 2);
}

}  // namespace
}  // namespace labsweep::orchestrator
