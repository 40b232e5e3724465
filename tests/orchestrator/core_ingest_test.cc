// Ingest: metrics and trial news into the store, acknowledged only once committed, resends
// acknowledged again and never applied twice; recovery after a restart.

#include <gmock/gmock.h>

#include "tests/orchestrator/core_fixture.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

protocol::Metrics metrics(uint64_t seq, int64_t trial, int64_t step, double loss) {
  return {.seq = seq,
          .trial_id = trial,
          .points = {{.step = step, .name = "loss", .value = loss, .time_ms = 5}}};
}

std::vector<uint64_t> seqs(const std::vector<protocol::Ack>& acks) {
  std::vector<uint64_t> out;
  for (const auto& a : acks) out.push_back(a.seq);
  return out;
}

class IngestTest : public CoreTest {
 protected:
  void SetUp() override {
    CoreTest::SetUp();
    hello("peer-a", "gpu01", {gpu(0)});
    sweep_ = submit(grid(2));
    trial_ = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  }

  std::vector<store::MetricPoint> series() {
    auto points = reader_->metric_series(store::TrialId{trial_}, "loss");
    EXPECT_TRUE(points);
    return points ? *points : std::vector<store::MetricPoint>{};
  }

  store::SweepId sweep_;
  int64_t trial_ = 0;
};

TEST_F(IngestTest, MetricsAreCommittedThenAcknowledged) {
  core_->on_message("peer-a", metrics(1, trial_, 0, 0.5));
  core_->on_message("peer-a", metrics(2, trial_, 1, 0.25));
  EXPECT_THAT(outbox_.take<protocol::Ack>("peer-a"), IsEmpty());  // nothing committed yet
  settle();
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a")), ElementsAre(1, 2));
  EXPECT_THAT(series(), SizeIs(2));
}

TEST_F(IngestTest, AResendIsAcknowledgedAgainAndNotAppliedTwice) {
  send("peer-a", metrics(1, trial_, 0, 0.5));
  send("peer-a", ended(2, trial_));
  outbox_.take<protocol::Ack>("peer-a");
  auto next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));

  send("peer-a", metrics(1, trial_, 0, 0.5));
  send("peer-a", ended(2, trial_));
  // Acks are cumulative: both resends are answered with everything committed so far.
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a")), ElementsAre(2, 2));
  EXPECT_EQ(core_->stats().resends, 2);
  EXPECT_THAT(series(), SizeIs(1));
  EXPECT_EQ(trial(trial_).status, store::TrialStatus::kCompleted);
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());  // no slot freed twice
}

TEST_F(IngestTest, ATrialEndedResentOnANewConnectionIsNotAppliedTwice) {
  send("peer-a", ended(1, trial_));
  ASSERT_THAT(outbox_.take<protocol::Assign>("peer-a"), SizeIs(1));
  // The ack was lost; the agent reconnects and resends.
  hello("peer-a2", "gpu01", {gpu(0)}, 0, {});
  send("peer-a2", ended(1, trial_));
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a2")), ElementsAre(1));
  auto events = reader_->events({.after = {}, .sweep = sweep_, .limit = std::nullopt});
  ASSERT_TRUE(events);
  int completed = 0;
  for (const auto& e : *events)
    completed += e.kind == "trial_completed" && e.trial && e.trial->value == trial_;
  EXPECT_EQ(completed, 1);
}

TEST_F(IngestTest, NothingIsAcknowledgedWhenTheCommitFails) {
  hook_.fail_next();
  send("peer-a", metrics(1, trial_, 0, 0.5));
  EXPECT_THAT(outbox_.take<protocol::Ack>("peer-a"), IsEmpty());
  EXPECT_THAT(series(), IsEmpty());
  // The orchestrator goes quiet towards that connection, so that the agent reconnects.
  outbox_.clear();
  advance(kHeartbeat);
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a"), IsEmpty());
  // The resend after a reconnect is applied and acknowledged.
  hello("peer-a2", "gpu01", {gpu(0)}, 0, {trial_});
  send("peer-a2", metrics(1, trial_, 0, 0.5));
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a2")), ElementsAre(1));
  EXPECT_THAT(series(), SizeIs(1));
  advance(kHeartbeat);
  EXPECT_THAT(outbox_.take<protocol::Heartbeat>("peer-a2"), SizeIs(1));
}

TEST_F(IngestTest, AFailedTrialKeepsItsExitCodeAndStderrTail) {
  send("peer-a", ended(1, trial_, 2, 0, false, "Traceback: boom\n"));
  store::TrialRecord record = trial(trial_);
  EXPECT_EQ(record.status, store::TrialStatus::kFailed);
  EXPECT_EQ(record.exit_code, 2);
  EXPECT_EQ(record.stderr_tail, "Traceback: boom\n");
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a")), ElementsAre(1));
}

TEST_F(IngestTest, MetricsOfAnUnknownTrialAreRefusedButAcknowledged) {
  send("peer-a", metrics(1, 9999, 0, 0.5));
  send("peer-a", protocol::Metrics{.seq = 2, .trial_id = trial_, .points = {}});
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a")), ElementsAre(1, 2));
}

TEST_F(IngestTest, TrialStartedIsAnEvent) {
  send("peer-a", protocol::TrialStarted{.seq = 1, .trial_id = trial_, .time_ms = 1234});
  EXPECT_THAT(seqs(outbox_.take<protocol::Ack>("peer-a")), ElementsAre(1));
  auto events = reader_->events({.after = {}, .sweep = sweep_, .limit = std::nullopt});
  ASSERT_TRUE(events);
  bool started = false;
  for (const auto& e : *events) started |= e.kind == "trial_started" && e.time_ms == 1234;
  EXPECT_TRUE(started);
}

TEST_F(CoreTest, RecoveryReadoptsRunningTrialsRequeuesOrphansAndDispatchesPending) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-b", "gpu02", {gpu(0)});
  auto sweep = submit(grid(4, "  max_retries: 1\n"));
  int64_t on_a = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  int64_t on_b = outbox_.take<protocol::Assign>("peer-b").at(0).trial_id;
  send("peer-a", metrics(1, on_a, 0, 0.5));

  restart();
  ASSERT_EQ(trial(on_a).status, store::TrialStatus::kRunning);
  EXPECT_THAT(*reader_->metric_series(store::TrialId{on_a}, "loss"), SizeIs(1));
  // gpu01 comes back and lists its trial: re-adopted, not restarted.
  hello("peer-a", "gpu01", {gpu(0)}, 0, {on_a});
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());
  // gpu02 never does: its trial is lost after the deadline, then requeued, and gpu01 gets the
  // next trial once its own ends.
  clock_.advance(kHeartbeat * kMissed + std::chrono::milliseconds(1));
  send("peer-a", protocol::Heartbeat{.gpus = {gpu(0)}});
  tick();
  store::TrialRecord orphan = trial(on_b);
  EXPECT_EQ(orphan.status, store::TrialStatus::kPending);
  EXPECT_EQ(orphan.stop_reason, "agent gpu02 did not come back");
  send("peer-a", ended(2, on_a));
  auto next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_EQ(next[0].trial_id, on_b);  // pending first

  send("peer-a", ended(3, on_b));
  next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_THAT(next[0].argv, ElementsAre("prog", "--x=2"));  // after the used suggestions
  send("peer-a", ended(4, next[0].trial_id));
  next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));
  send("peer-a", ended(5, next[0].trial_id));
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kCompleted);
  EXPECT_THAT(trials(sweep), SizeIs(4));
}

TEST_F(CoreTest, RecoveryLeavesAStoppedSweepStoppedAndResumable) {
  hello("peer-a", "gpu01", {gpu(0)});
  auto sweep = submit(grid(3));
  ASSERT_TRUE(core_->stop_sweep(sweep).is_ok());
  restart();
  hello("peer-a", "gpu01", {gpu(0)});
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());
  ASSERT_TRUE(core_->resume_sweep(sweep).is_ok());
  settle();
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), SizeIs(1));
}

TEST_F(CoreTest, RecoveryCompletesASweepWhoseLastTrialHadEnded) {
  // What a crash between the last trial's end and the sweep's completion leaves in the store.
  auto sweep =
      writer_
          ->submit(store::CreateSweep{
              .name = "s", .method = "grid", .spec_text = grid(1), .seed = 1, .created_ms = 1})
          .get();
  ASSERT_TRUE(sweep);
  auto agent = writer_->submit(store::RecordAgent{.name = "gpu01", .seen_ms = 1}).get();
  ASSERT_TRUE(agent);
  auto id = writer_
                ->submit(store::AddTrial{.sweep = *sweep,
                                         .suggestion_index = 0,
                                         .params_json = R"({"x": 0})",
                                         .created_ms = 1})
                .get();
  ASSERT_TRUE(id);
  ASSERT_TRUE(writer_->submit(store::StartTrial{.trial = *id, .agent = *agent, .started_ms = 2})
                  .get()
                  .is_ok());
  ASSERT_TRUE(writer_->submit(store::FinishTrial{.trial = *id, .finished_ms = 3}).get().is_ok());
  restart();
  EXPECT_EQ(sweep_state(*sweep), store::SweepState::kCompleted);
}

}  // namespace
}  // namespace labsweep::orchestrator
