// OutputWatch on real files and a fake clock: when a trial's output is looked at, how it is cut
// into chunks, what is skipped when a file runs ahead, and what goes again after a reconnection.

#include "agent/output_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using labsweep::testing::TempDir;
using protocol::TrialOutput;
using std::chrono::milliseconds;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class OutputWatchTest : public ::testing::Test {
 protected:
  OutputWatchTest() : watch_(clock_, limits()) {}

  static OutputLimits limits() {
    OutputLimits l;
    l.interval = milliseconds(1000);
    l.chunk_bytes = 16;
    l.window_bytes = 64;
    return l;
  }

  void append(const std::string& name, const std::string& text) {
    std::ofstream out(dir_.path() / name, std::ios::binary | std::ios::app);
    out << text;
  }

  // The bytes of one stream in `chunks`, each chunk checked to follow the one before.
  static std::string joined(const std::vector<TrialOutput>& chunks, TrialOutput::Stream stream) {
    std::string text;
    for (const TrialOutput& c : chunks) {
      if (c.stream == stream) text += c.data;
    }
    return text;
  }

  TempDir dir_;
  FakeClock clock_;
  OutputWatch watch_;
};

TEST_F(OutputWatchTest, NothingBeforeTheIntervalHasPassed) {
  append("stdout.log", "epoch 1\n");
  watch_.add(7, dir_.path());
  EXPECT_EQ(watch_.next_deadline(), clock_.now() + milliseconds(1000));
  clock_.advance(milliseconds(999));
  EXPECT_THAT(watch_.take_due(), IsEmpty());
  clock_.advance(milliseconds(1));
  std::vector<TrialOutput> due = watch_.take_due();
  ASSERT_THAT(due, SizeIs(1));
  EXPECT_EQ(due[0], (TrialOutput{7, TrialOutput::Stream::kStdout, 0, "epoch 1\n"}));
  EXPECT_EQ(watch_.next_deadline(), clock_.now() + milliseconds(1000));
}

TEST_F(OutputWatchTest, OnlyWhatTheFilesGainedAndAtMostOneLookPerInterval) {
  watch_.add(7, dir_.path());
  append("stdout.log", "a\n");
  append("stderr.log", "warning\n");
  clock_.advance(milliseconds(1000));
  std::vector<TrialOutput> first = watch_.take_due();
  EXPECT_EQ(joined(first, TrialOutput::Stream::kStdout), "a\n");
  EXPECT_EQ(joined(first, TrialOutput::Stream::kStderr), "warning\n");

  append("stdout.log", "b\n");
  EXPECT_THAT(watch_.take_due(), IsEmpty());  // looked at a moment ago
  clock_.advance(milliseconds(1000));
  std::vector<TrialOutput> second = watch_.take_due();
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0], (TrialOutput{7, TrialOutput::Stream::kStdout, 2, "b\n"}));
  clock_.advance(milliseconds(1000));
  EXPECT_THAT(watch_.take_due(), IsEmpty());  // nothing new
}

TEST_F(OutputWatchTest, ChunksAreCutAtTheLimitWithTheirOffsets) {
  watch_.add(7, dir_.path());
  append("stdout.log", std::string(40, 'x'));
  clock_.advance(milliseconds(1000));
  std::vector<TrialOutput> due = watch_.take_due();
  ASSERT_THAT(due, SizeIs(3));
  EXPECT_EQ(due[0].offset, 0);
  EXPECT_EQ(due[1].offset, 16);
  EXPECT_EQ(due[2].offset, 32);
  EXPECT_EQ(due[0].data.size(), 16u);
  EXPECT_EQ(due[2].data.size(), 8u);
}

TEST_F(OutputWatchTest, AFileFarAheadIsReadFromItsLastWindowAndTheOffsetShowsTheGap) {
  watch_.add(7, dir_.path());
  std::string text;
  for (int i = 0; i < 100; ++i) text += static_cast<char>('a' + i % 26);
  append("stderr.log", text);
  clock_.advance(milliseconds(1000));
  std::vector<TrialOutput> due = watch_.take_due();
  ASSERT_THAT(due, SizeIs(4));
  EXPECT_EQ(due[0].offset, 36);
  EXPECT_EQ(joined(due, TrialOutput::Stream::kStderr), text.substr(36));
}

TEST_F(OutputWatchTest, FinishReadsTheRestAtOnceAndForgetsTheTrial) {
  watch_.add(7, dir_.path());
  append("stdout.log", "last words\n");
  std::vector<TrialOutput> rest = watch_.finish(7);  // not due, but the trial has ended
  EXPECT_EQ(joined(rest, TrialOutput::Stream::kStdout), "last words\n");
  EXPECT_EQ(watch_.next_deadline(), std::nullopt);
  EXPECT_THAT(watch_.finish(7), IsEmpty());
}

TEST_F(OutputWatchTest, MissingFilesYieldNothingUntilTheyAppear) {
  watch_.add(7, dir_.path() / "not-yet");
  clock_.advance(milliseconds(1000));
  EXPECT_THAT(watch_.take_due(), IsEmpty());
  std::filesystem::create_directories(dir_.path() / "not-yet");
  append("not-yet/stdout.log", "hello\n");
  clock_.advance(milliseconds(1000));
  EXPECT_EQ(joined(watch_.take_due(), TrialOutput::Stream::kStdout), "hello\n");
}

TEST_F(OutputWatchTest, AfterAReconnectionTheLastWindowGoesAgain) {
  watch_.add(7, dir_.path());
  append("stdout.log", std::string(30, 'a'));
  clock_.advance(milliseconds(1000));
  EXPECT_EQ(joined(watch_.take_due(), TrialOutput::Stream::kStdout).size(), 30u);
  append("stdout.log", std::string(50, 'b'));
  watch_.resend_windows();
  clock_.advance(milliseconds(1000));
  std::vector<TrialOutput> again = watch_.take_due();
  ASSERT_FALSE(again.empty());
  EXPECT_EQ(again[0].offset, 16);  // the file's last 64 of its 80 bytes
  EXPECT_EQ(joined(again, TrialOutput::Stream::kStdout),
            std::string(14, 'a') + std::string(50, 'b'));
}

TEST_F(OutputWatchTest, TrialsAreLookedAtOnTheirOwnIntervals) {
  watch_.add(1, dir_.path() / "one");
  clock_.advance(milliseconds(500));
  watch_.add(2, dir_.path() / "two");
  for (const char* d : {"one", "two"}) {
    std::filesystem::create_directories(dir_.path() / d);
    append(std::string(d) + "/stdout.log", d);
  }
  clock_.advance(milliseconds(500));
  std::vector<TrialOutput> due = watch_.take_due();
  ASSERT_THAT(due, SizeIs(1));
  EXPECT_EQ(due[0].trial_id, 1);
  EXPECT_EQ(watch_.next_deadline(), clock_.now() + milliseconds(500));
  clock_.advance(milliseconds(500));
  due = watch_.take_due();
  ASSERT_THAT(due, SizeIs(1));
  EXPECT_EQ(due[0].trial_id, 2);
}

}  // namespace
}  // namespace labsweep::agent
