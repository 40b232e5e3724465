#include "store/store_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <thread>
#include <vector>

#include "tests/store/store_fixture.h"

namespace labsweep::store {
namespace {

using ::testing::ElementsAre;
using testing::FailingCommitHook;
using testing::FailsWith;
using ::testing::IsEmpty;
using testing::IsOk;
using testing::WriterGate;

class StoreWriterTest : public testing::StoreTest {};

TEST_F(StoreWriterTest, CreatesASweepAndChangesItsState) {
  SweepId sweep = make_sweep("lr-sweep");
  Result<SweepOverview> read = reader().sweep(sweep);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->sweep, (SweepRecord{.id = sweep,
                                      .name = "lr-sweep",
                                      .method = "grid",
                                      .spec_text = "method: grid\n",
                                      .seed = 7,
                                      .state = SweepState::kRunning,
                                      .created_ms = 1000,
                                      .finished_ms = std::nullopt}));

  ASSERT_THAT(write(SetSweepState{sweep, SweepState::kStopped, 5000}), IsOk());
  read = reader().sweep(sweep);
  EXPECT_EQ(read->sweep.state, SweepState::kStopped);
  EXPECT_EQ(read->sweep.finished_ms, 5000);

  ASSERT_THAT(write(SetSweepState{sweep, SweepState::kRunning, 6000}), IsOk());  // resumed
  read = reader().sweep(sweep);
  EXPECT_EQ(read->sweep.state, SweepState::kRunning);
  EXPECT_EQ(read->sweep.finished_ms, std::nullopt);

  EXPECT_THAT(write(SetSweepState{SweepId{99}, SweepState::kCompleted, 1}),
              FailsWith(StatusCode::kNotFound, "set sweep state: sweep 99 does not exist"));
}

TEST_F(StoreWriterTest, AddsAPendingTrial) {
  SweepId sweep = make_sweep();
  TrialId trial = must(AddTrial{sweep, 4, "{\"lr\": 0.01}", 3000});
  Result<TrialView> read = reader().trial(trial);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->trial, (TrialRecord{.id = trial,
                                      .sweep = sweep,
                                      .suggestion_index = 4,
                                      .params_json = "{\"lr\": 0.01}",
                                      .status = TrialStatus::kPending,
                                      .created_ms = 3000}));
  EXPECT_THAT(read->summaries, IsEmpty());
}

TEST_F(StoreWriterTest, ASuggestionIndexIsUsedOncePerSweep) {
  SweepId sweep = make_sweep();
  SweepId other = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  EXPECT_THAT(write(AddTrial{sweep, 0, "{}", 1}),
              FailsWith(StatusCode::kFailedPrecondition,
                        "add trial: sweep " + std::to_string(sweep.value) + " already has trial " +
                            std::to_string(trial.value) + " for suggestion 0"));
  EXPECT_THAT(write(AddTrial{other, 0, "{}", 1}), IsOk());
  EXPECT_THAT(write(AddTrial{SweepId{77}, 0, "{}", 1}),
              FailsWith(StatusCode::kNotFound, "add trial: sweep 77 does not exist"));
}

TEST_F(StoreWriterTest, ReservedTrialIdsAreNeverHandedOutTwice) {
  SweepId sweep = make_sweep();
  TrialId before = make_trial(sweep, 0);
  TrialId first = must(ReserveTrialIds{.count = 3});
  EXPECT_EQ(first.value, before.value + 1);
  TrialId next = must(ReserveTrialIds{.count = 2});
  EXPECT_EQ(next.value, first.value + 3);  // past the first block, though none of it is used

  // A reserved id is the trial's; a trial added without one comes after every reservation.
  EXPECT_EQ(must(AddTrial{.sweep = sweep, .suggestion_index = 1, .id = TrialId{first.value + 1}}),
            TrialId{first.value + 1});
  EXPECT_EQ(must(AddTrial{.sweep = sweep, .suggestion_index = 2}).value, next.value + 2);
  EXPECT_EQ(reader().trial(TrialId{first.value + 1})->trial.suggestion_index, 1);

  // Reservations survive a restart, used or not.
  open_writer();
  EXPECT_EQ(must(ReserveTrialIds{.count = 1}).value, next.value + 3);
}

TEST_F(StoreWriterTest, ReleasedTrialIdsAreReservedAgainWithoutAGap) {
  SweepId sweep = make_sweep();
  TrialId first = must(ReserveTrialIds{.count = 10});
  ASSERT_THAT(write(AddTrial{.sweep = sweep, .suggestion_index = 0, .id = first}), IsOk());
  ASSERT_THAT(write(ReleaseTrialIds{.first = TrialId{first.value + 1}}), IsOk());
  EXPECT_EQ(must(ReserveTrialIds{.count = 1}).value, first.value + 1);
  // Never below a trial that exists.
  ASSERT_THAT(write(ReleaseTrialIds{.first = first}), IsOk());
  EXPECT_EQ(must(ReserveTrialIds{.count = 1}).value, first.value + 1);
  EXPECT_THAT(write(ReleaseTrialIds{.first = TrialId{0}}),
              FailsWith(StatusCode::kInvalidArgument, "release trial ids: trial ids start at 1"));
}

TEST_F(StoreWriterTest, AnIdThatWasNotReservedIsRefused) {
  SweepId sweep = make_sweep();
  TrialId first = must(ReserveTrialIds{.count = 2});
  EXPECT_THAT(
      write(AddTrial{.sweep = sweep, .suggestion_index = 0, .id = TrialId{first.value + 2}}),
      FailsWith(StatusCode::kInvalidArgument,
                "add trial: trial id " + std::to_string(first.value + 2) + " was not reserved"));
  EXPECT_THAT(write(AddTrial{.sweep = sweep, .suggestion_index = 0, .id = TrialId{0}}),
              FailsWith(StatusCode::kInvalidArgument, "add trial: trial id 0 was not reserved"));
  EXPECT_THAT(
      write(ReserveTrialIds{.count = 0}),
      FailsWith(StatusCode::kInvalidArgument, "reserve trial ids: reserve at least one trial id"));
  // An id already used is refused by the table itself.
  ASSERT_THAT(write(AddTrial{.sweep = sweep, .suggestion_index = 0, .id = first}), IsOk());
  EXPECT_FALSE(write(AddTrial{.sweep = sweep, .suggestion_index = 1, .id = first}).is_ok());
}

TEST_F(StoreWriterTest, ParamsAreStoredExactlyAsGiven) {
  SweepId sweep = make_sweep();
  std::string not_json = "{not json at all \xE2\x9C\x93 \"";
  TrialId trial = must(AddTrial{sweep, 0, not_json, 1});
  EXPECT_EQ(reader().trial(trial)->trial.params_json, not_json);
}

TEST_F(StoreWriterTest, ATrialGoesThroughItsAttempts) {
  SweepId sweep = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  AgentId agent = make_agent("node-1");

  ASSERT_THAT(write(StartTrial{trial, agent, {0, 3}, 10'000}), IsOk());
  TrialRecord read = reader().trial(trial)->trial;
  EXPECT_EQ(read.status, TrialStatus::kRunning);
  EXPECT_EQ(read.agent, agent);
  EXPECT_THAT(read.gpus, ElementsAre(0, 3));
  EXPECT_EQ(read.attempts, 1);
  EXPECT_EQ(read.started_ms, 10'000);

  ASSERT_THAT(write(FinishTrial{.trial = trial,
                                .status = TrialStatus::kFailed,
                                .exit_code = 0,
                                .signal = 9,
                                .stderr_tail = "CUDA out of memory\n",
                                .stop_reason = "",
                                .finished_ms = 12'000}),
              IsOk());
  read = reader().trial(trial)->trial;
  EXPECT_EQ(read.status, TrialStatus::kFailed);
  EXPECT_EQ(read.exit_code, 0);
  EXPECT_EQ(read.signal, 9);
  EXPECT_EQ(read.stderr_tail, "CUDA out of memory\n");
  EXPECT_EQ(read.finished_ms, 12'000);

  // Requeued for a retry: unassigned, the failed attempt's outcome still on show.
  ASSERT_THAT(write(RequeueTrial{trial}), IsOk());
  read = reader().trial(trial)->trial;
  EXPECT_EQ(read.status, TrialStatus::kPending);
  EXPECT_EQ(read.agent, std::nullopt);
  EXPECT_THAT(read.gpus, IsEmpty());
  EXPECT_EQ(read.started_ms, std::nullopt);
  EXPECT_EQ(read.attempts, 1);
  EXPECT_EQ(read.signal, 9);

  // The same process re-adopted (its agent came back): running again, the same attempt.
  ASSERT_THAT(write(StartTrial{trial, agent, {0, 3}, 15'000, /*new_attempt=*/false}), IsOk());
  read = reader().trial(trial)->trial;
  EXPECT_EQ(read.status, TrialStatus::kRunning);
  EXPECT_EQ(read.attempts, 1);
  EXPECT_EQ(read.started_ms, 15'000);
  ASSERT_THAT(write(RequeueTrial{trial}), IsOk());

  // The second attempt starts clean and ends stopped, with a reason.
  ASSERT_THAT(write(StartTrial{trial, agent, {}, 20'000}), IsOk());
  read = reader().trial(trial)->trial;
  EXPECT_EQ(read.attempts, 2);
  EXPECT_EQ(read.signal, std::nullopt);
  EXPECT_EQ(read.stderr_tail, "");
  EXPECT_EQ(read.finished_ms, std::nullopt);
  ASSERT_THAT(write(FinishTrial{.trial = trial,
                                .status = TrialStatus::kStopped,
                                .exit_code = 0,
                                .stop_reason = "hyperband: below the cut at step 9",
                                .finished_ms = 21'000}),
              IsOk());
  read = reader().trial(trial)->trial;
  EXPECT_EQ(read.status, TrialStatus::kStopped);
  EXPECT_EQ(read.stop_reason, "hyperband: below the cut at step 9");
  EXPECT_EQ(read.agent, agent);  // the last attempt's agent is kept
}

TEST_F(StoreWriterTest, TrialUpdatesNameWhatIsMissingOrWrong) {
  SweepId sweep = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  AgentId agent = make_agent("node-1");
  EXPECT_THAT(write(StartTrial{TrialId{404}, agent, {}, 1}),
              FailsWith(StatusCode::kNotFound, "start trial: trial 404 does not exist"));
  EXPECT_THAT(write(StartTrial{trial, AgentId{55}, {}, 1}),
              FailsWith(StatusCode::kNotFound, "start trial: agent 55 does not exist"));
  EXPECT_THAT(write(StartTrial{trial, agent, {1, -2}, 1}),
              FailsWith(StatusCode::kInvalidArgument, "start trial: GPU index -2 is negative"));
  EXPECT_THAT(
      write(FinishTrial{.trial = trial, .status = TrialStatus::kRunning}),
      FailsWith(StatusCode::kInvalidArgument, "finish trial: status 'running' is not final"));
  EXPECT_THAT(write(FinishTrial{.trial = TrialId{404}, .status = TrialStatus::kLost}),
              FailsWith(StatusCode::kNotFound, "finish trial: trial 404 does not exist"));
  EXPECT_THAT(write(RequeueTrial{TrialId{404}}),
              FailsWith(StatusCode::kNotFound, "requeue trial: trial 404 does not exist"));
  EXPECT_EQ(reader().trial(trial)->trial.status, TrialStatus::kPending);  // untouched
}

TEST_F(StoreWriterTest, AgentsAreRecordedByName) {
  AgentId agent = must(RecordAgent{.name = "node-1",
                                   .host = "10.0.0.5",
                                   .public_key = "key-1",
                                   .gpus_json = "[{\"index\":0}]",
                                   .seen_ms = 100});
  // The same agent says hello again from elsewhere: same id, first-seen time kept.
  AgentId again = must(RecordAgent{.name = "node-1",
                                   .host = "10.0.0.6",
                                   .public_key = "key-2",
                                   .gpus_json = "[]",
                                   .seen_ms = 900});
  EXPECT_EQ(again, agent);
  ASSERT_THAT(write(RecordHeartbeat{agent, 950, std::nullopt}), IsOk());
  ASSERT_THAT(write(SetAgentState{agent, AgentState::kLost}), IsOk());
  Result<std::vector<AgentRecord>> agents = reader().agents();
  ASSERT_THAT(agents, IsOk());
  EXPECT_THAT(*agents, ElementsAre(AgentRecord{.id = agent,
                                               .name = "node-1",
                                               .host = "10.0.0.6",
                                               .public_key = "key-2",
                                               .gpus_json = "[]",
                                               .state = AgentState::kLost,
                                               .first_seen_ms = 100,
                                               .last_heartbeat_ms = 950}));
  ASSERT_THAT(write(RecordHeartbeat{agent, 960, "[{\"index\":1}]"}), IsOk());
  EXPECT_EQ(reader().agents()->front().gpus_json, "[{\"index\":1}]");

  EXPECT_THAT(write(RecordAgent{.name = ""}),
              FailsWith(StatusCode::kInvalidArgument, "record agent: an agent needs a name"));
  EXPECT_THAT(write(RecordHeartbeat{AgentId{8}, 1, std::nullopt}),
              FailsWith(StatusCode::kNotFound, "record heartbeat: agent 8 does not exist"));
  EXPECT_THAT(write(SetAgentState{AgentId{8}, AgentState::kOffline}),
              FailsWith(StatusCode::kNotFound, "set agent state: agent 8 does not exist"));
}

TEST_F(StoreWriterTest, EventsReferToRowsThatExist) {
  SweepId sweep = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  EventId event = must(AddEvent{.time_ms = 5,
                                .sweep = sweep,
                                .trial = trial,
                                .kind = "started",
                                .message = "trial 1 started"});
  EXPECT_GT(event.value, 0);
  EXPECT_THAT(write(AddEvent{.time_ms = 5, .trial = TrialId{31}, .kind = "x", .message = ""}),
              FailsWith(StatusCode::kNotFound, "add event: trial 31 does not exist"));
  EXPECT_THAT(write(AddEvent{.time_ms = 5, .agent = AgentId{32}, .kind = "x", .message = ""}),
              FailsWith(StatusCode::kNotFound, "add event: agent 32 does not exist"));
  EXPECT_THAT(write(AddEvent{.time_ms = 5, .sweep = SweepId{33}, .kind = "x", .message = ""}),
              FailsWith(StatusCode::kNotFound, "add event: sweep 33 does not exist"));
  EXPECT_THAT(write(AddEvent{.time_ms = 5, .kind = "", .message = "no kind"}),
              FailsWith(StatusCode::kInvalidArgument, "add event: an event needs a kind"));
}

// The contract the orchestrator relies on to ack agents: when an operation is reported
// committed, any other connection can read it.
TEST_F(StoreWriterTest, CompletionFiresOnlyAfterTheCommit) {
  SweepId sweep = make_sweep();
  std::unique_ptr<StoreReader> observer = open_reader();
  std::promise<bool> seen_in_callback;
  writer_->submit(AddTrial{sweep, 0, "{}", 1}, [&](Result<TrialId> trial) {
    seen_in_callback.set_value(trial.is_ok() && observer->trial(*trial).is_ok());
  });
  EXPECT_TRUE(seen_in_callback.get_future().get());
}

TEST_F(StoreWriterTest, NothingIsReportedBeforeTheCommitIsDecided) {
  FailingCommitHook hook;
  open_writer({.commit_hook = &hook});
  SweepId sweep = make_sweep();
  std::unique_ptr<StoreReader> observer = open_reader();
  std::atomic<bool> completed{false};
  std::optional<size_t> visible_at_commit;
  std::optional<bool> completed_at_commit;
  {
    WriterGate gate(*writer_);  // both trials in one batch, whose commit the hook watches
    hook.on_commit = [&] {
      if (visible_at_commit) return;
      visible_at_commit = observer->trials(sweep)->size();
      completed_at_commit = completed.load();
    };
    writer_->submit(AddTrial{sweep, 0, "{}", 1}, [&](Result<TrialId>) { completed = true; });
    writer_->submit(AddTrial{sweep, 1, "{}", 1}, [&](Result<TrialId>) { completed = true; });
  }
  ASSERT_THAT(writer_->flush().get(), IsOk());
  EXPECT_EQ(visible_at_commit, 0u);
  EXPECT_EQ(completed_at_commit, false);
  EXPECT_TRUE(completed);
  EXPECT_EQ(observer->trials(sweep)->size(), 2u);
}

TEST_F(StoreWriterTest, AFailedCommitFailsTheWholeBatchAndTheNextBatchCommits) {
  FailingCommitHook hook;
  open_writer({.commit_hook = &hook});
  SweepId sweep = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  std::vector<std::future<Result<TrialId>>> trials;
  std::future<Result<int64_t>> points;
  std::future<Status> state;
  {
    WriterGate gate(*writer_);  // the following operations go into one batch
    hook.fail_next();
    for (int i = 1; i <= 3; ++i) trials.push_back(writer_->submit(AddTrial{sweep, i, "{}", 1}));
    points = writer_->submit(AddMetricPoints{{{trial, "brand-new-key", 1, 0.5, 1}}});
    state = writer_->submit(SetSweepState{sweep, SweepState::kStopped, 9});
  }
  const Status injected(StatusCode::kIoError, "commit refused: injected commit failure");
  for (auto& future : trials) {
    EXPECT_THAT(future.get(), FailsWith(injected.code(), injected.message()));
  }
  EXPECT_THAT(points.get(), FailsWith(injected.code(), injected.message()));
  EXPECT_THAT(state.get(), FailsWith(injected.code(), injected.message()));
  // Nothing of the batch is in the file.
  EXPECT_EQ(reader().trials(sweep)->size(), 1u);
  EXPECT_EQ(reader().sweep(sweep)->sweep.state, SweepState::kRunning);
  EXPECT_THAT(*reader().metric_series(trial, "brand-new-key"), IsEmpty());
  WriterStats stats = writer_->stats();
  EXPECT_EQ(stats.batches_failed, 1);
  EXPECT_EQ(stats.ops_failed, 5);

  // The writer goes on; the key made in the failed batch is made again, not remembered.
  EXPECT_THAT(write(AddTrial{sweep, 1, "{}", 1}), IsOk());
  EXPECT_THAT(write(AddMetricPoints{{{trial, "brand-new-key", 1, 0.5, 1}}}), IsOk());
  EXPECT_EQ(reader().metric_series(trial, "brand-new-key")->size(), 1u);
  EXPECT_EQ(reader().trials(sweep)->size(), 2u);
}

TEST_F(StoreWriterTest, AnOperationThatFailsAloneDoesNotFailItsBatch) {
  SweepId sweep = make_sweep();
  std::future<Result<TrialId>> good_before;
  std::future<Result<TrialId>> bad;
  std::future<Result<TrialId>> good_after;
  {
    WriterGate gate(*writer_);
    good_before = writer_->submit(AddTrial{sweep, 0, "{}", 1});
    bad = writer_->submit(AddTrial{SweepId{999}, 0, "{}", 1});
    good_after = writer_->submit(AddTrial{sweep, 1, "{}", 1});
  }
  EXPECT_THAT(good_before.get(), IsOk());
  EXPECT_THAT(bad.get(), FailsWith(StatusCode::kNotFound, "add trial: sweep 999 does not exist"));
  EXPECT_THAT(good_after.get(), IsOk());
  EXPECT_EQ(reader().trials(sweep)->size(), 2u);
  EXPECT_EQ(writer_->stats().batches_failed, 0);
}

TEST_F(StoreWriterTest, EverythingQueuedIsCommittedInOneTransaction) {
  SweepId sweep = make_sweep();
  WriterStats before = writer_->stats();
  std::vector<std::future<Result<TrialId>>> trials;
  std::future<Status> flushed;
  {
    WriterGate gate(*writer_);
    for (int i = 0; i < 1000; ++i) trials.push_back(writer_->submit(AddTrial{sweep, i, "{}", 1}));
    flushed = writer_->flush();
  }
  ASSERT_THAT(flushed.get(), IsOk());
  for (auto& trial : trials) EXPECT_THAT(trial.get(), IsOk());
  WriterStats after = writer_->stats();
  EXPECT_EQ(after.batches_committed - before.batches_committed, 2);  // the gate's, then the rest
  EXPECT_EQ(after.ops_committed - before.ops_committed, 1001);
}

TEST_F(StoreWriterTest, ABatchTakesAtMostMaxBatchOps) {
  open_writer({.max_batch_ops = 100});
  SweepId sweep = make_sweep();
  WriterStats before = writer_->stats();
  {
    WriterGate gate(*writer_);
    for (int i = 0; i < 250; ++i) writer_->submit(AddTrial{sweep, i, "{}", 1}, [](auto) {});
  }
  ASSERT_THAT(writer_->flush().get(), IsOk());
  EXPECT_EQ(writer_->stats().batches_committed - before.batches_committed, 1 + 3);
  EXPECT_EQ(reader().trials(sweep)->size(), 250u);
}

TEST_F(StoreWriterTest, ABatchTakesAtMostMaxBatchPoints) {
  open_writer({.max_batch_points = 10});
  SweepId sweep = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  WriterStats before = writer_->stats();
  std::vector<std::future<Result<int64_t>>> adds;
  {
    WriterGate gate(*writer_);
    for (int op = 0; op < 3; ++op) {
      AddMetricPoints points;
      for (int i = 0; i < 6; ++i) points.points.push_back({trial, "loss", op * 6 + i, 1.0, 0});
      adds.push_back(writer_->submit(std::move(points)));
    }
    AddMetricPoints big;  // more than the bound on its own: still taken, alone
    for (int i = 0; i < 25; ++i) big.points.push_back({trial, "acc", i, 1.0, 0});
    adds.push_back(writer_->submit(std::move(big)));
  }
  for (auto& add : adds) EXPECT_THAT(add.get(), IsOk());
  EXPECT_EQ(writer_->stats().batches_committed - before.batches_committed, 1 + 4);
}

TEST_F(StoreWriterTest, ShutdownCommitsEverythingQueued) {
  SweepId sweep = make_sweep();
  std::vector<std::future<Result<TrialId>>> trials;
  std::thread stopper;
  {
    WriterGate gate(*writer_);
    for (int i = 0; i < 500; ++i) trials.push_back(writer_->submit(AddTrial{sweep, i, "{}", 1}));
    stopper = std::thread([this] { writer_->shutdown(); });
  }
  stopper.join();
  for (auto& trial : trials) EXPECT_THAT(trial.get(), IsOk());
  EXPECT_THAT(write(AddTrial{sweep, 9999, "{}", 1}),
              FailsWith(StatusCode::kFailedPrecondition, "the store writer is shut down"));
  writer_->shutdown();  // again: nothing happens
  writer_.reset();
  open_writer();
  EXPECT_EQ(reader().trials(sweep)->size(), 500u);
}

TEST_F(StoreWriterTest, ManyThreadsSubmitAtOnce) {
  SweepId sweep = make_sweep();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> committed{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        writer_->submit(
            AddEvent{.time_ms = i, .sweep = sweep, .kind = "tick", .message = std::to_string(t)},
            [&](Result<EventId> id) { ++(id.is_ok() ? committed : failed); });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_THAT(writer_->flush().get(), IsOk());
  EXPECT_EQ(committed, kThreads * kPerThread);
  EXPECT_EQ(failed, 0);
  Result<std::vector<EventRecord>> events = reader().events({.sweep = sweep});
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->size(), static_cast<size_t>(kThreads * kPerThread));
}

// A process that dies right after the ack (no destructors, no checkpoint, the WAL left as it
// is) loses nothing it was told was committed.
TEST_F(StoreWriterTest, AnAcknowledgedWriteSurvivesTheProcessDying) {
  SweepId sweep = make_sweep();
  writer_.reset();  // no other threads while forking
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<StoreWriter>> writer = StoreWriter::open(db_path());
    if (!writer) _exit(2);
    Result<TrialId> trial = (*writer)->submit(AddTrial{sweep, 0, "{\"acked\": true}", 1}).get();
    _exit(trial.is_ok() && trial->value > 0 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Result<std::vector<TrialView>> trials = reader().trials(sweep);
  ASSERT_THAT(trials, IsOk());
  ASSERT_EQ(trials->size(), 1u);
  EXPECT_EQ((*trials)[0].trial.params_json, "{\"acked\": true}");
}

TEST_F(StoreWriterTest, AFlushAloneCommitsNothing) {
  make_sweep();
  WriterStats before = writer_->stats();
  ASSERT_THAT(writer_->flush().get(), IsOk());
  WriterStats after = writer_->stats();
  EXPECT_EQ(after.batches_committed, before.batches_committed);
  EXPECT_EQ(after.ops_committed, before.ops_committed);
}

TEST_F(StoreWriterTest, NobodyNeedsToListen) {
  SweepId sweep = make_sweep();
  writer_->submit(AddTrial{sweep, 0, "{}", 1}, nullptr);
  ASSERT_THAT(writer_->flush().get(), IsOk());
  EXPECT_EQ(reader().trials(sweep)->size(), 1u);
}

TEST_F(StoreWriterTest, CallbacksMaySubmitMore) {
  SweepId sweep = make_sweep();
  std::promise<Result<TrialId>> second;
  writer_->submit(AddTrial{sweep, 0, "{}", 1}, [&](Result<TrialId>) {
    writer_->submit(AddTrial{sweep, 1, "{}", 1},
                    [&](Result<TrialId> trial) { second.set_value(std::move(trial)); });
  });
  EXPECT_THAT(second.get_future().get(), IsOk());
}

}  // namespace
}  // namespace labsweep::store
