// The trial_output table (store/trial_output.h): chunks appended by offset, windows sent again
// stored once, the last 64 KiB kept, gaps, a new attempt starting over; a trial's events.

#include "store/trial_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/connection.h"
#include "store/schema.h"
#include "tests/store/store_fixture.h"

namespace labsweep::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class TrialOutputTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    sweep_ = make_sweep();
    trial_ = make_trial(sweep_, 0);
  }

  int64_t append(int64_t offset, std::string data, OutputStream stream = OutputStream::kStdout) {
    return must(AppendTrialOutput{
        .trial = trial_, .stream = stream, .offset = offset, .data = std::move(data)});
  }

  OutputTail tail(OutputStream stream = OutputStream::kStdout) {
    Result<OutputTail> t = reader().trial_output(trial_, stream);
    EXPECT_THAT(t, IsOk());
    return t.is_ok() ? *t : OutputTail{};
  }

  SweepId sweep_;
  TrialId trial_;
};

TEST_F(TrialOutputTest, NothingKeptIsAnEmptyTail) { EXPECT_EQ(tail(), OutputTail{}); }

TEST_F(TrialOutputTest, ChunksFollowEachOtherAndStreamsAreApart) {
  EXPECT_EQ(append(0, "epoch 1\n"), 8);
  EXPECT_EQ(append(8, "epoch 2\n"), 8);
  append(0, "warning\n", OutputStream::kStderr);
  EXPECT_EQ(tail(), (OutputTail{0, 16, "epoch 1\nepoch 2\n"}));
  EXPECT_EQ(tail(OutputStream::kStderr), (OutputTail{0, 8, "warning\n"}));
}

TEST_F(TrialOutputTest, BytesAreKeptAsTheTrialWroteThem) {
  std::string bytes("\xff\xfe\0\xe2\x82", 5);
  append(0, bytes);
  EXPECT_EQ(tail().data, bytes);
  EXPECT_EQ(tail().end, 5);
}

TEST_F(TrialOutputTest, AWindowSentAgainIsStoredOnce) {
  append(0, "abcdef");
  EXPECT_EQ(append(2, "cdefgh"), 2);  // "gh" is new
  EXPECT_EQ(append(0, "abc"), 0);     // all known
  EXPECT_EQ(tail(), (OutputTail{0, 8, "abcdefgh"}));
}

TEST_F(TrialOutputTest, OnlyTheLast64KiBAreKept) {
  const std::string chunk(16 << 10, 'x');
  for (int i = 0; i < 10; ++i) append(int64_t{i} * (16 << 10), chunk);
  OutputTail t = tail();
  EXPECT_EQ(t.end, 10 * (16 << 10));
  EXPECT_EQ(t.start, t.end - kTrialOutputBytes);
  EXPECT_EQ(static_cast<int64_t>(t.data.size()), kTrialOutputBytes);
  // The old chunks are gone from the file, not just from the answer.
  Result<Connection> db =
      Connection::open(db_path(), AccessMode::kReadOnly, std::chrono::milliseconds(1000));
  ASSERT_THAT(db, IsOk());
  EXPECT_LE(*db->query_int("SELECT count(*) FROM trial_output", "count"), 5);
}

TEST_F(TrialOutputTest, AGapShowsAsALaterStart) {
  append(0, "early\n");
  append(100, "late\n");  // the agent skipped what it could not keep up with
  EXPECT_EQ(tail(), (OutputTail{100, 105, "late\n"}));
}

TEST_F(TrialOutputTest, ANewAttemptStartsTheOutputOver) {
  AgentId agent = make_agent("node-a");
  EXPECT_THAT(write(StartTrial{.trial = trial_, .agent = agent, .started_ms = 1}), IsOk());
  append(0, "first attempt\n");
  EXPECT_THAT(
      write(StartTrial{.trial = trial_, .agent = agent, .started_ms = 2, .new_attempt = false}),
      IsOk());
  EXPECT_EQ(tail().data, "first attempt\n");  // re-adopted: the same attempt goes on
  EXPECT_THAT(write(StartTrial{.trial = trial_, .agent = agent, .started_ms = 3}), IsOk());
  EXPECT_EQ(tail(), OutputTail{});
}

TEST_F(TrialOutputTest, RefusesUnknownTrialsAndNegativeOffsets) {
  EXPECT_THAT(write(AppendTrialOutput{.trial = TrialId{999}, .data = "x"}),
              FailsWith(StatusCode::kNotFound, "append trial output: trial 999 does not exist"));
  EXPECT_FALSE(write(AppendTrialOutput{.trial = trial_, .offset = -1, .data = "x"}).is_ok());
  EXPECT_THAT(reader().trial_output(TrialId{999}, OutputStream::kStdout),
              FailsWith(StatusCode::kNotFound, "trial 999 does not exist"));
}

TEST_F(TrialOutputTest, StreamNamesReadBack) {
  EXPECT_EQ(parse_output_stream("stdout"), OutputStream::kStdout);
  EXPECT_EQ(parse_output_stream("stderr"), OutputStream::kStderr);
  EXPECT_EQ(parse_output_stream("stdin"), std::nullopt);
  EXPECT_EQ(parse_output_stream(""), std::nullopt);
  EXPECT_EQ(to_string(OutputStream::kStderr), "stderr");
}

TEST_F(TrialOutputTest, EventsOfOneTrial) {
  TrialId other = make_trial(sweep_, 1);
  SweepId second = make_sweep("second");
  must(AddEvent{.time_ms = 1, .sweep = sweep_, .trial = trial_, .kind = "trial_started"});
  must(AddEvent{.time_ms = 2, .sweep = sweep_, .trial = other, .kind = "trial_started"});
  must(AddEvent{.time_ms = 3, .sweep = sweep_, .kind = "sweep_note"});
  must(AddEvent{.time_ms = 4, .sweep = sweep_, .trial = trial_, .kind = "trial_completed"});
  auto kinds = [this](EventFilter filter) {
    std::vector<std::string> out;
    Result<std::vector<EventRecord>> events = reader().events(filter);
    for (const EventRecord& e : *events) out.push_back(e.kind);
    return out;
  };
  EXPECT_THAT(kinds({.trial = trial_}), ElementsAre("trial_started", "trial_completed"));
  EXPECT_THAT(kinds({.sweep = sweep_, .trial = trial_}),
              ElementsAre("trial_started", "trial_completed"));
  EXPECT_THAT(kinds({.sweep = second, .trial = trial_}), IsEmpty());
  EXPECT_THAT(kinds({.trial = trial_, .limit = 1}), ElementsAre("trial_started"));
  std::vector<EventRecord> all = *reader().events({.trial = trial_});
  EXPECT_THAT(kinds({.after = all[0].id, .trial = trial_}), ElementsAre("trial_completed"));
}

}  // namespace
}  // namespace labsweep::store::testing
