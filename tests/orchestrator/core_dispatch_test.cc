// Scheduling: slots and resources, laziness, fairness, limits, timeouts, stop and resume.

#include <gmock/gmock.h>

#include <set>

#include "orchestrator/trial_id_pool.h"
#include "tests/orchestrator/core_fixture.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

TEST_F(CoreTest, AssignsOneTrialPerFreeGpuAndAsksTheMethodLazily) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1)});
  auto sweep = submit(grid(1000));
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(2));
  EXPECT_THAT(assigned[0].gpus, ElementsAre(0));
  EXPECT_THAT(assigned[1].gpus, ElementsAre(1));
  EXPECT_THAT(assigned[0].argv, ElementsAre("prog", "--x=0"));
  EXPECT_THAT(assigned[1].argv, ElementsAre("prog", "--x=1"));
  EXPECT_EQ(assigned[0].params_json, R"({"x": 0})");
  EXPECT_EQ(assigned[0].sweep_id, sweep.value);
  // Only the trials that have a slot exist.
  auto rows = trials(sweep);
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_EQ(rows[0].trial.status, store::TrialStatus::kRunning);
  EXPECT_THAT(rows[0].trial.gpus, ElementsAre(0));
}

TEST_F(CoreTest, ARelativeProgramIsFoundInTheSubmittedDirectory) {
  hello("peer-a", "cpu01", {}, 2);
  const std::string spec =
      "method: grid\nprogram: scripts/train.py\ncommand: [python3, '${program}', '${args}']\n"
      "parameters:\n  x: {values: [1]}\n";
  core_->submit_sweep({.text = spec, .directory = "/home/ada/project"}, [](auto) {});
  core_->submit_sweep({.text = spec}, [](auto) {});
  settle();
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(2));
  EXPECT_THAT(assigned[0].argv,
              ElementsAre("python3", "/home/ada/project/scripts/train.py", "--x=1"));
  EXPECT_THAT(assigned[1].argv, ElementsAre("python3", "scripts/train.py", "--x=1"));
  auto sweeps = reader_->sweeps();
  ASSERT_TRUE(sweeps);
  EXPECT_EQ(sweeps->at(0).sweep.directory, "/home/ada/project");
}

TEST_F(CoreTest, SlotsPerGpuPackTrialsAndCpuSlotsTakeCpuTrials) {
  hello("peer-a", "gpu01", {gpu(0)}, /*cpu_slots=*/1, {}, /*slots_per_gpu=*/2);
  submit(grid(10));
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), SizeIs(2));  // unset: one GPU each
  submit(grid(10, "  resources: {gpus: 0}\n"));
  auto cpu = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(cpu, SizeIs(1));
  EXPECT_THAT(cpu[0].gpus, IsEmpty());
}

TEST_F(CoreTest, AnAgentWithoutGpusRunsUnsetTrialsOnCpuSlots) {
  hello("peer-a", "cpu01", {}, 3);
  submit(grid(10));
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(3));
  for (const auto& a : assigned) EXPECT_THAT(a.gpus, IsEmpty());
}

TEST_F(CoreTest, MultiGpuTrialsNeedThemOnOneAgent) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-b", "gpu02", {gpu(0), gpu(1), gpu(2, true)});
  submit(grid(10, "  resources: {gpus: 2}\n"));
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());
  auto assigned = outbox_.take<protocol::Assign>("peer-b");
  ASSERT_THAT(assigned, SizeIs(1));
  EXPECT_THAT(assigned[0].gpus, ElementsAre(0, 1));
}

TEST_F(CoreTest, MaxConcurrentIsHonoured) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1), gpu(2), gpu(3)});
  submit(grid(10, "  max_concurrent: 3\n"));
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), SizeIs(3));
}

TEST_F(CoreTest, RunCapIsHonouredAndTheSweepCompletes) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1), gpu(2), gpu(3)});
  auto sweep = submit(
      "method: random\nrun_cap: 2\ncommand:\n  - prog\n  - ${args}\nparameters:\n  lr:\n    min: "
      "0.0\n    max: 1.0\n"
      "labsweep:\n  seed: 3\n");
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(2));
  uint64_t seq = 0;
  for (const auto& a : assigned) {
    send("peer-a", ended(++seq, a.trial_id));
  }
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());
  EXPECT_THAT(trials(sweep), SizeIs(2));
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kCompleted);
}

TEST_F(CoreTest, SweepsShareTheLabFairly) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1), gpu(2), gpu(3)}, 0, {}, 1);
  // The first sweep takes the whole lab while it is alone; the second gets every slot freed
  // until both run as many trials.
  auto first = submit(grid(100));
  auto a = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(a, SizeIs(4));
  auto second = submit(grid(100));
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());
  uint64_t seq = 0;
  std::vector<int64_t> sweeps_of_new;
  for (int i = 0; i < 2; ++i) {
    send("peer-a", ended(++seq, a[i].trial_id));
    auto next = outbox_.take<protocol::Assign>("peer-a");
    ASSERT_THAT(next, SizeIs(1));
    sweeps_of_new.push_back(next[0].sweep_id);
  }
  EXPECT_THAT(sweeps_of_new, ElementsAre(second.value, second.value));
  // Two each now; the first ends one more and gets the slot back.
  send("peer-a", ended(++seq, a[2].trial_id));
  auto next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_EQ(next[0].sweep_id, first.value);
}

TEST_F(CoreTest, AFailedTrialIsRetriedBeforeNewSuggestions) {
  hello("peer-a", "gpu01", {gpu(0)});
  auto sweep = submit(grid(3, "  max_retries: 1\n"));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", ended(1, id, 3, 0, false, "boom\n"));
  auto again = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].trial_id, id);
  EXPECT_EQ(trial(id).attempts, 2);

  send("peer-a", ended(2, id, 0, 9, false, "killed\n"));
  store::TrialRecord failed = trial(id);
  EXPECT_EQ(failed.status, store::TrialStatus::kFailed);
  EXPECT_EQ(failed.signal, 9);
  EXPECT_EQ(failed.exit_code, std::nullopt);
  EXPECT_EQ(failed.stderr_tail, "killed\n");
  auto next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_NE(next[0].trial_id, id);
  EXPECT_THAT(trials(sweep), SizeIs(2));
}

TEST_F(CoreTest, ATrialPastItsTimeoutIsStopped) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(1, "  trial_timeout_s: 60\n"));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  clock_.advance(std::chrono::seconds(60));
  send("peer-a", protocol::Heartbeat{.gpus = {gpu(0)}});
  tick();
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());
  clock_.advance(std::chrono::milliseconds(1));
  send("peer-a", protocol::Heartbeat{.gpus = {gpu(0)}});
  tick();
  auto stops = outbox_.take<protocol::Stop>("peer-a");
  ASSERT_THAT(stops, SizeIs(1));
  EXPECT_EQ(stops[0].trial_id, id);
  EXPECT_EQ(stops[0].reason, "timed out after 60 s");
  send("peer-a", ended(1, id, 0, 15, true));
  EXPECT_EQ(trial(id).status, store::TrialStatus::kStopped);
  EXPECT_EQ(trial(id).stop_reason, "timed out after 60 s");
}

TEST_F(CoreTest, StoppingASweepStopsItsTrialsAndResumeContinuesAfterThem) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1)});
  auto sweep = submit(grid(4, "  max_retries: 1\n"));
  auto assigned = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(assigned, SizeIs(2));
  // One fails and waits as pending while the other GPU is busy... make that slot busy first.
  send("peer-a", protocol::Heartbeat{.gpus = {gpu(0), gpu(1, true)}});
  send("peer-a", ended(1, assigned[1].trial_id, 1));
  ASSERT_EQ(trial(assigned[1].trial_id).status, store::TrialStatus::kPending);

  ASSERT_TRUE(core_->stop_sweep(sweep).is_ok());
  settle();
  auto stops = outbox_.take<protocol::Stop>("peer-a");
  ASSERT_THAT(stops, SizeIs(1));
  EXPECT_EQ(stops[0].trial_id, assigned[0].trial_id);
  EXPECT_EQ(stops[0].reason, "sweep stopped");
  EXPECT_EQ(trial(assigned[1].trial_id).status, store::TrialStatus::kStopped);
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kStopped);
  EXPECT_TRUE(core_->stop_sweep(sweep).is_ok());  // idempotent

  send("peer-a", ended(2, assigned[0].trial_id, 0, 15, true));
  EXPECT_EQ(trial(assigned[0].trial_id).status, store::TrialStatus::kStopped);
  EXPECT_THAT(outbox_.take<protocol::Assign>("peer-a"), IsEmpty());

  ASSERT_TRUE(core_->resume_sweep(sweep).is_ok());
  settle();
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kRunning);
  auto resumed = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(resumed, SizeIs(1));
  EXPECT_THAT(resumed[0].argv, ElementsAre("prog", "--x=2"));  // after the used suggestions
}

TEST_F(CoreTest, ControlCallsNameUnknownAndEndedThings) {
  EXPECT_EQ(core_->stop_sweep(store::SweepId{99}).code(), StatusCode::kNotFound);
  EXPECT_EQ(core_->resume_sweep(store::SweepId{99}).code(), StatusCode::kNotFound);
  EXPECT_EQ(core_->stop_trial(store::TrialId{99}).code(), StatusCode::kNotFound);

  hello("peer-a", "gpu01", {gpu(0)});
  auto sweep = submit(grid(1));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", ended(1, id));
  ASSERT_EQ(sweep_state(sweep), store::SweepState::kCompleted);
  Status ended = core_->stop_trial(store::TrialId{id});
  EXPECT_EQ(ended.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ended.message(), "trial " + std::to_string(id) + " has already ended");
  EXPECT_EQ(core_->resume_sweep(sweep).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(core_->stop_sweep(sweep).is_ok());
}

TEST_F(CoreTest, StoppingATrialByHandAndTheDecisionThatSaysSo) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(2));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", protocol::Decide{.query = 7, .trial_id = id, .step = 3});
  auto first = outbox_.take<protocol::Decision>("peer-a");
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_EQ(first[0].query, 7u);
  EXPECT_FALSE(first[0].stop);

  ASSERT_TRUE(core_->stop_trial(store::TrialId{id}).is_ok());
  ASSERT_THAT(outbox_.take<protocol::Stop>("peer-a"), SizeIs(1));
  send("peer-a", protocol::Decide{.query = 8, .trial_id = id, .step = 4});
  auto second = outbox_.take<protocol::Decision>("peer-a");
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_TRUE(second[0].stop);
  EXPECT_EQ(second[0].reason, "stopped by user");
}

TEST_F(CoreTest, ASubmissionWithErrorsIsRefusedWithItsDiagnostics) {
  std::optional<Result<SubmitResult>> outcome;
  core_->submit_sweep({.text = "method: grid\nparameters: 3\n", .file_name = "bad.yaml"},
                      [&](Result<SubmitResult> r) { outcome.emplace(std::move(r)); });
  settle();
  ASSERT_TRUE(outcome && *outcome);
  EXPECT_FALSE((*outcome)->sweep);
  EXPECT_FALSE((*outcome)->diagnostics.empty());
  auto sweeps = reader_->sweeps();
  ASSERT_TRUE(sweeps);
  EXPECT_THAT(*sweeps, IsEmpty());
}

TEST_F(CoreTest, StoppingAPendingTrialEndsItAtOnce) {
  hello("peer-a", "gpu01", {gpu(0)});
  auto sweep = submit(grid(2, "  max_retries: 1\n"));
  int64_t id = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  // Its agent is lost: the trial waits, pending, for a slot.
  advance(kHeartbeat * kMissed + std::chrono::milliseconds(1));
  ASSERT_EQ(trial(id).status, store::TrialStatus::kPending);
  ASSERT_TRUE(core_->stop_trial(store::TrialId{id}).is_ok());
  settle();
  EXPECT_EQ(trial(id).status, store::TrialStatus::kStopped);
  EXPECT_EQ(trial(id).stop_reason, "stopped by user");
  // The sweep goes on with its next suggestion, not with the stopped trial.
  hello("peer-a", "gpu01", {gpu(0)});
  auto next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_NE(next[0].trial_id, id);
  EXPECT_THAT(trials(sweep), SizeIs(2));
}

// New trials take ids the core reserved, so their Assigns need not wait for their rows; blocks
// of ids are asked for ahead of need, and no id is handed out twice, across restarts too.
TEST_F(CoreTest, TrialIdsComeFromReservedBlocksAndAreNeverReused) {
  hello("peer-a", "gpu01", {gpu(0), gpu(1)});
  auto sweep = submit(grid(2 * TrialIdPool::kBlock));
  std::set<int64_t> ids;
  uint64_t seq = 0;
  auto finish = [&](int64_t id) { send("peer-a", ended(++seq, id)); };
  auto run_all_assigned = [&] {
    for (;;) {
      auto assigned = outbox_.take<protocol::Assign>("peer-a");
      if (assigned.empty()) return;
      for (const auto& a : assigned) {
        EXPECT_TRUE(ids.insert(a.trial_id).second) << "trial id " << a.trial_id << " twice";
        finish(a.trial_id);
      }
    }
  };
  for (int i = 0; i < 2 * TrialIdPool::kBlock; ++i) {  // past the first block, then a restart
    auto assigned = outbox_.take<protocol::Assign>("peer-a");
    if (assigned.empty()) break;
    for (const auto& a : assigned) {
      EXPECT_TRUE(ids.insert(a.trial_id).second) << "trial id " << a.trial_id << " twice";
      finish(a.trial_id);
    }
    if (static_cast<int64_t>(ids.size()) >= TrialIdPool::kBlock * 3 / 2) break;
  }
  // Two trials run on while the orchestrator restarts; the agent's hello has them re-adopted.
  std::vector<int64_t> running;
  for (const auto& a : outbox_.take<protocol::Assign>("peer-a")) {
    EXPECT_TRUE(ids.insert(a.trial_id).second);
    running.push_back(a.trial_id);
  }
  ASSERT_THAT(running, SizeIs(2));
  int64_t before_restart = *ids.rbegin();
  restart();
  seq = 0;
  hello("peer-a", "gpu01", {gpu(0), gpu(1)}, 0, running);
  for (int64_t id : running) finish(id);
  auto first_after = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(first_after, Not(IsEmpty()));
  EXPECT_GT(first_after[0].trial_id, before_restart);  // past every reservation before it
  for (const auto& a : first_after) {
    EXPECT_TRUE(ids.insert(a.trial_id).second);
    finish(a.trial_id);
  }
  run_all_assigned();

  // Every trial ran once, under the id it was assigned, and the sweep is done.
  auto rows = trials(sweep);
  ASSERT_THAT(rows, SizeIs(2 * TrialIdPool::kBlock));
  std::set<int64_t> stored;
  for (const auto& row : rows) {
    stored.insert(row.trial.id.value);
    EXPECT_EQ(row.trial.status, store::TrialStatus::kCompleted) << row.trial.id.value;
    EXPECT_EQ(row.trial.attempts, 1) << row.trial.id.value;
  }
  EXPECT_EQ(stored, ids);
  EXPECT_EQ(sweep_state(sweep), store::SweepState::kCompleted);
}

TEST_F(CoreTest, AfterAnOrderlyStopTrialIdsContinueWithoutAGap) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(5));
  auto first = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(first, SizeIs(1));
  core_->release_trial_ids();
  restart();
  hello("peer-a", "gpu01", {gpu(0)}, 0, {});
  advance(kHeartbeat * kMissed + std::chrono::milliseconds(1));  // the first trial is lost
  submit(grid(5));
  auto next = outbox_.take<protocol::Assign>("peer-a");
  ASSERT_THAT(next, Not(IsEmpty()));
  EXPECT_EQ(next.back().trial_id, first[0].trial_id + 1);
}

TEST(TrialIdPoolTest, HandsOutBlocksInOrderAndAsksAhead) {
  TrialIdPool pool;
  EXPECT_EQ(pool.take(), std::nullopt);
  EXPECT_TRUE(pool.wants_block());
  pool.asked();
  EXPECT_FALSE(pool.wants_block());  // one request at a time
  pool.add_block(store::TrialId{1}, TrialIdPool::kBlock);
  EXPECT_TRUE(pool.wants_block());  // a spare, a whole block ahead
  for (int64_t i = 1; i <= TrialIdPool::kBlock / 2; ++i) {
    EXPECT_EQ(pool.take(), store::TrialId{i});
  }
  pool.asked();
  pool.add_block(store::TrialId{5000}, 2);  // the spare, used once the current block is done
  EXPECT_FALSE(pool.wants_block());
  EXPECT_EQ(pool.available(), TrialIdPool::kBlock / 2 + 2);
  for (int64_t i = TrialIdPool::kBlock / 2 + 1; i <= TrialIdPool::kBlock; ++i) {
    EXPECT_EQ(pool.take(), store::TrialId{i});
  }
  EXPECT_EQ(pool.first_unused(), store::TrialId{5000});
  EXPECT_EQ(pool.take(), store::TrialId{5000});
  EXPECT_TRUE(pool.wants_block());  // the spare is in use: another one
  EXPECT_EQ(pool.take(), store::TrialId{5001});
  EXPECT_EQ(pool.take(), std::nullopt);
  EXPECT_EQ(pool.first_unused(), std::nullopt);
  pool.asked();
  pool.block_failed();
  EXPECT_TRUE(pool.wants_block());  // asked again after a failure
}

}  // namespace
}  // namespace labsweep::orchestrator
