#include "store/store_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/connection.h"
#include "tests/store/store_fixture.h"

namespace labsweep::store {
namespace {

using ::testing::ElementsAre;
using testing::FailsWith;
using ::testing::IsEmpty;
using testing::IsOk;

class StoreReaderTest : public testing::StoreTest {
 protected:
  std::vector<int64_t> ids(const std::vector<TrialView>& views) {
    std::vector<int64_t> ids;
    for (const TrialView& view : views) ids.push_back(view.trial.id.value);
    return ids;
  }
};

TEST_F(StoreReaderTest, ListsSweepsWithTheirTrialsCountedByStatus) {
  SweepId first = make_sweep("first");
  SweepId second = make_sweep("second");
  SweepId empty = make_sweep("empty");
  AgentId agent = make_agent("node");
  for (int i = 0; i < 4; ++i) make_trial(first, i);
  TrialId running = make_trial(second, 0);
  TrialId done = make_trial(second, 1);
  ASSERT_THAT(write(StartTrial{running, agent, {0}, 1}), IsOk());
  ASSERT_THAT(write(StartTrial{done, agent, {1}, 1}), IsOk());
  ASSERT_THAT(write(FinishTrial{.trial = done, .status = TrialStatus::kCompleted}), IsOk());

  Result<std::vector<SweepOverview>> sweeps = reader().sweeps();
  ASSERT_THAT(sweeps, IsOk());
  ASSERT_EQ(sweeps->size(), 3u);
  EXPECT_EQ((*sweeps)[0].sweep.id, first);
  EXPECT_EQ((*sweeps)[0].sweep.name, "first");
  EXPECT_EQ((*sweeps)[0].trials.of(TrialStatus::kPending), 4);
  EXPECT_EQ((*sweeps)[0].trials.total(), 4);
  EXPECT_EQ((*sweeps)[1].trials.of(TrialStatus::kRunning), 1);
  EXPECT_EQ((*sweeps)[1].trials.of(TrialStatus::kCompleted), 1);
  EXPECT_EQ((*sweeps)[1].trials.of(TrialStatus::kPending), 0);
  EXPECT_EQ((*sweeps)[2].sweep.id, empty);
  EXPECT_EQ((*sweeps)[2].trials.total(), 0);

  Result<SweepOverview> one = reader().sweep(second);
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(*one, (*sweeps)[1]);
  EXPECT_THAT(reader().sweep(SweepId{42}),
              FailsWith(StatusCode::kNotFound, "sweep 42 does not exist"));
}

TEST_F(StoreReaderTest, ListsASweepsTrialsWithTheirSummaries) {
  SweepId sweep = make_sweep();
  SweepId other = make_sweep();
  TrialId a = make_trial(sweep, 0);
  TrialId stranger = make_trial(other, 0);  // ids interleave with another sweep's
  TrialId b = make_trial(sweep, 1);
  must(AddMetricPoints{{{a, "loss", 0, 1.0, 0},
                        {a, "loss", 1, 0.5, 0},
                        {b, "acc", 0, 0.7, 0},
                        {stranger, "loss", 0, 9.0, 0}}});
  Result<std::vector<TrialView>> trials = reader().trials(sweep);
  ASSERT_THAT(trials, IsOk());
  ASSERT_THAT(ids(*trials), ElementsAre(a.value, b.value));
  ASSERT_EQ((*trials)[0].summaries.size(), 1u);
  EXPECT_EQ((*trials)[0].summaries[0].key, "loss");
  EXPECT_EQ((*trials)[0].summaries[0].count, 2);
  EXPECT_EQ((*trials)[0].summaries[0].last_value, 0.5);
  ASSERT_EQ((*trials)[1].summaries.size(), 1u);
  EXPECT_EQ((*trials)[1].summaries[0].key, "acc");
  EXPECT_EQ((*trials)[1], *reader().trial(b));

  EXPECT_THAT(reader().trials(SweepId{404}),
              FailsWith(StatusCode::kNotFound, "sweep 404 does not exist"));
  EXPECT_THAT(reader().trial(TrialId{404}),
              FailsWith(StatusCode::kNotFound, "trial 404 does not exist"));
}

TEST_F(StoreReaderTest, FiltersTrialsByStatusAndPages) {
  SweepId sweep = make_sweep();
  AgentId agent = make_agent("node");
  std::vector<int64_t> all;
  std::vector<int64_t> running;
  for (int i = 0; i < 10; ++i) {
    TrialId trial = make_trial(sweep, i);
    all.push_back(trial.value);
    must(AddMetricPoints{{{trial, "loss", 0, static_cast<double>(i), 0}}});
    if (i % 3 == 0) {
      ASSERT_THAT(write(StartTrial{trial, agent, {}, 1}), IsOk());
      running.push_back(trial.value);
    }
  }
  EXPECT_THAT(ids(*reader().trials(sweep, {.status = TrialStatus::kRunning})),
              ::testing::ElementsAreArray(running));
  EXPECT_THAT(*reader().trials(sweep, {.status = TrialStatus::kFailed}), IsEmpty());

  // Pages of 4, each starting after the last id of the one before.
  std::vector<int64_t> paged;
  TrialId after{0};
  for (;;) {
    Result<std::vector<TrialView>> page = reader().trials(sweep, {.after = after, .limit = 4});
    ASSERT_THAT(page, IsOk());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 4u);
    for (const TrialView& view : *page) {
      paged.push_back(view.trial.id.value);
      ASSERT_EQ(view.summaries.size(), 1u);  // each page carries its own trials' summaries
      EXPECT_EQ(view.summaries[0].last_value, static_cast<double>(view.trial.suggestion_index));
    }
    after = page->back().trial.id;
  }
  EXPECT_EQ(paged, all);
  EXPECT_THAT(
      ids(*reader().trials(
          sweep, {.status = TrialStatus::kRunning, .after = TrialId{running[1]}, .limit = 1})),
      ElementsAre(running[2]));
}

TEST_F(StoreReaderTest, EventsComeAfterACursorInCommitOrder) {
  SweepId sweep = make_sweep();
  SweepId other = make_sweep();
  AgentId agent = make_agent("node");
  std::vector<EventId> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(must(AddEvent{.time_ms = 100 + i,
                                .sweep = i % 2 == 0 ? sweep : other,
                                .agent = agent,
                                .kind = "note",
                                .message = "event " + std::to_string(i)}));
  }
  Result<std::vector<EventRecord>> events = reader().events();
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[0], (EventRecord{.id = ids[0],
                                       .time_ms = 100,
                                       .sweep = sweep,
                                       .trial = std::nullopt,
                                       .agent = agent,
                                       .kind = "note",
                                       .message = "event 0"}));
  Result<std::vector<EventRecord>> after = reader().events({.after = ids[1], .limit = 2});
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].id, ids[2]);
  EXPECT_EQ((*after)[1].id, ids[3]);
  Result<std::vector<EventRecord>> of_sweep = reader().events({.after = ids[0], .sweep = sweep});
  ASSERT_EQ(of_sweep->size(), 2u);
  EXPECT_EQ((*of_sweep)[0].message, "event 2");
  EXPECT_EQ((*of_sweep)[1].message, "event 4");
  EXPECT_THAT(*reader().events({.after = ids[4]}), IsEmpty());
}

TEST_F(StoreReaderTest, AgentsAreListedByName) {
  make_agent("zeta");
  make_agent("alpha");
  make_agent("mid");
  std::vector<std::string> names;
  Result<std::vector<AgentRecord>> agents = reader().agents();
  ASSERT_THAT(agents, IsOk());
  for (const AgentRecord& agent : *agents) names.push_back(agent.name);
  EXPECT_THAT(names, ElementsAre("alpha", "mid", "zeta"));
}

// Listing trials reads trial_summaries, never metric_points: with the points gone, the
// summaries are all still there.
TEST_F(StoreReaderTest, ListingTenThousandTrialsNeverReadsThePoints) {
  SweepId sweep = make_sweep();
  constexpr int kTrials = 10'000;
  std::vector<TrialId> trials(kTrials);
  for (int i = 0; i < kTrials; ++i) {
    writer_->submit(AddTrial{sweep, i, "{}", 1}, [&trials, i](Result<TrialId> trial) {
      if (trial) trials[i] = *trial;
    });
  }
  ASSERT_THAT(writer_->flush().get(), IsOk());
  AddMetricPoints points;
  for (TrialId trial : trials) {
    points.points.push_back({trial, "loss", 0, 1.0, 0});
    points.points.push_back({trial, "loss", 1, 0.5, 0});
    points.points.push_back({trial, "acc", 1, 0.9, 0});
  }
  EXPECT_EQ(must(std::move(points)), 3 * kTrials);
  {
    Result<Connection> raw =
        Connection::open(db_path(), AccessMode::kReadWrite, std::chrono::milliseconds(1000));
    ASSERT_THAT(raw, IsOk());
    ASSERT_THAT(raw->exec("DELETE FROM metric_points", "delete points"), IsOk());
  }
  Result<std::vector<TrialView>> listed = reader().trials(sweep);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), static_cast<size_t>(kTrials));
  int as_expected = 0;
  for (const TrialView& view : *listed) {
    as_expected += view.summaries.size() == 2 && view.summaries[0].key == "acc" &&
                   view.summaries[1].count == 2 && view.summaries[1].last_value == 0.5;
  }
  EXPECT_EQ(as_expected, kTrials);
  EXPECT_EQ(reader().sweep(sweep)->trials.of(TrialStatus::kPending), kTrials);
}

// While the writer commits a large batch, readers on their own connections keep reading the
// last committed state: never "database is locked", never half a batch.
TEST_F(StoreReaderTest, ReadersReadWhileTheWriterCommitsALargeBatch) {
  SweepId sweep = make_sweep();
  TrialId trial = make_trial(sweep, 0);
  constexpr int kPoints = 20'000;
  AddMetricPoints batch;
  for (int step = 0; step < kPoints; ++step) batch.points.push_back({trial, "loss", step, 1, 0});

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> errors;
  std::mutex errors_mu;
  auto note = [&](const std::string& error) {
    std::lock_guard<std::mutex> lock(errors_mu);
    errors.push_back(error);
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      std::unique_ptr<StoreReader> own = open_reader();
      if (!own) return note("could not open a reader");
      do {
        Result<std::vector<TrialView>> trials = own->trials(sweep);
        if (!trials) note(trials.status().message());
        Result<std::vector<MetricPoint>> series = own->metric_series(trial, "loss");
        if (!series) {
          note(series.status().message());
        } else if (!series->empty() && series->size() != kPoints) {
          note("saw " + std::to_string(series->size()) + " points");
        }
        ++reads;
      } while (!done);
    });
  }
  std::future<Result<int64_t>> added = writer_->submit(std::move(batch));
  std::future<Result<EventId>> event = writer_->submit(AddEvent{.time_ms = 1, .kind = "after"});
  EXPECT_THAT(added.get(), IsOk());
  EXPECT_THAT(event.get(), IsOk());
  done = true;
  for (std::thread& thread : readers) thread.join();
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_GT(reads, 0);
  EXPECT_EQ(reader().metric_series(trial, "loss")->size(), static_cast<size_t>(kPoints));
}

TEST_F(StoreReaderTest, ReopeningTheFileKeepsEverything) {
  SweepId sweep = make_sweep();
  AgentId agent = make_agent("node");
  TrialId trial = make_trial(sweep, 0);
  ASSERT_THAT(write(StartTrial{trial, agent, {2}, 10}), IsOk());
  must(AddMetricPoints{{{trial, "loss", 0, 1.0, 5}, {trial, "loss", 1, 0.5, 6}}});
  must(AddEvent{.time_ms = 9, .trial = trial, .kind = "started", .message = "on node"});
  std::vector<SweepOverview> sweeps = *reader().sweeps();
  TrialView view = *reader().trial(trial);
  std::vector<AgentRecord> agents = *reader().agents();
  std::vector<EventRecord> events = *reader().events();
  std::vector<MetricPoint> series = *reader().metric_series(trial, "loss");

  reader_.reset();
  writer_.reset();
  open_writer();
  EXPECT_EQ(*reader().sweeps(), sweeps);
  EXPECT_EQ(*reader().trial(trial), view);
  EXPECT_EQ(*reader().agents(), agents);
  EXPECT_EQ(*reader().events(), events);
  EXPECT_EQ(*reader().metric_series(trial, "loss"), series);
  // And the writer goes on where it left off.
  EXPECT_EQ(must(AddMetricPoints{{{trial, "loss", 1, 0.5, 6}, {trial, "loss", 2, 0.25, 7}}}), 1);
  EXPECT_EQ(reader().trial(trial)->summaries[0].count, 3);
}

TEST_F(StoreReaderTest, AReaderOpensTheFileWithNoWriterRunning) {
  SweepId sweep = make_sweep("kept");
  writer_.reset();  // the last connection: SQLite checkpoints and removes the WAL files
  EXPECT_FALSE(std::filesystem::exists(db_path().string() + "-wal"));
  Result<SweepOverview> read = reader().sweep(sweep);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->sweep.name, "kept");
}

TEST_F(StoreReaderTest, AReaderNeedsAnExistingFile) {
  std::filesystem::path missing = dir_.path() / "missing.db";
  EXPECT_THAT(StoreReader::open(missing),
              FailsWith(StatusCode::kIoError,
                        "open " + missing.string() + ": unable to open database file"));
}

}  // namespace
}  // namespace labsweep::store
