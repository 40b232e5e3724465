#include "agent/stop_sequence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/support/fake_clock.h"
#include "tests/support/fake_process_launcher.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using labsweep::testing::FakeProcessLauncher;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class StopSequenceTest : public ::testing::Test {
 protected:
  std::vector<int>& signals() { return launcher_.launched[0]->signals; }
  void exit_with(ExitStatus status) { launcher_.launched[0]->exit = status; }

  FakeClock clock_;
  FakeProcessLauncher launcher_;
  std::unique_ptr<Process> process_ = launcher_.launch({{"train"}, {}, "/", "o", "e", ""}).value();
  int notices_ = 0;
  StopSequence sequence_{*process_, clock_, milliseconds(5000), milliseconds(2000),
                         [this] { ++notices_; }};
};

TEST_F(StopSequenceTest, NoticeThenTermThenKill) {
  sequence_.begin();
  EXPECT_EQ(notices_, 1);
  EXPECT_EQ(sequence_.stage(), StopSequence::Stage::kNotified);
  clock_.advance(milliseconds(4999));
  sequence_.tick();
  EXPECT_THAT(signals(), IsEmpty());  // 1 ms before the grace period ends
  clock_.advance(milliseconds(1));
  sequence_.tick();
  EXPECT_THAT(signals(), ElementsAre(SIGTERM));
  clock_.advance(milliseconds(1999));
  sequence_.tick();
  EXPECT_THAT(signals(), ElementsAre(SIGTERM));
  clock_.advance(milliseconds(1));
  sequence_.tick();
  EXPECT_THAT(signals(), ElementsAre(SIGTERM, SIGKILL));
  EXPECT_EQ(sequence_.stage(), StopSequence::Stage::kKilled);
  exit_with({0, SIGKILL});
  sequence_.tick();
  EXPECT_EQ(sequence_.stage(), StopSequence::Stage::kExited);
}

TEST_F(StopSequenceTest, ATrialThatHeedsTheNoticeIsNotSignalled) {
  sequence_.begin();
  clock_.advance(milliseconds(100));
  exit_with({0, 0});
  sequence_.tick();
  clock_.advance(milliseconds(60'000));
  sequence_.tick();
  EXPECT_THAT(signals(), IsEmpty());
  EXPECT_EQ(sequence_.stage(), StopSequence::Stage::kExited);
  EXPECT_EQ(sequence_.next_deadline(), std::nullopt);
}

TEST_F(StopSequenceTest, DeadlinesTellTheLoopWhenToWake) {
  EXPECT_EQ(sequence_.next_deadline(), std::nullopt);
  Clock::TimePoint start = clock_.now();
  sequence_.begin();
  EXPECT_EQ(sequence_.next_deadline(), start + milliseconds(5000));
  clock_.advance(milliseconds(5000));
  sequence_.tick();
  EXPECT_EQ(sequence_.next_deadline(), start + milliseconds(7000));
}

TEST_F(StopSequenceTest, BeginTwiceSendsOneNotice) {
  sequence_.begin();
  sequence_.begin();
  EXPECT_EQ(notices_, 1);
}

TEST_F(StopSequenceTest, TickBeforeBeginDoesNothing) {
  clock_.advance(milliseconds(60'000));
  sequence_.tick();
  EXPECT_THAT(signals(), IsEmpty());
  EXPECT_EQ(sequence_.stage(), StopSequence::Stage::kNotStarted);
}

TEST(StopSequenceZeroDelaysTest, EscalateAtOnce) {
  FakeClock clock;
  FakeProcessLauncher launcher;
  auto process = std::move(launcher.launch({{"train"}, {}, "/", "o", "e", ""}).value());
  StopSequence sequence(*process, clock, milliseconds(0), milliseconds(0), nullptr);
  sequence.begin();
  EXPECT_THAT(launcher.launched[0]->signals, ElementsAre(SIGTERM, SIGKILL));
}

}  // namespace
}  // namespace labsweep::agent
