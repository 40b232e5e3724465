// The built labsweep-train on small generated IDX data: its table and exit codes on the terminal,
// and under a real trial socket its reports, a stop notice and SIGTERM.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <regex>
#include <thread>

#include "agent/trial_socket.h"
#include "tests/support/background_process.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/trainer/idx_files.h"

namespace labsweep::trainer {
namespace {

using labsweep::testing::BackgroundProcess;
using labsweep::testing::built_binary;
using labsweep::testing::ProcessResult;
using labsweep::testing::run_process;
using labsweep::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> metric_names(const agent::TrialReport& report) {
  std::vector<std::string> names;
  for (const agent::Metric& m : report.metrics) names.push_back(m.name);
  return names;
}

class TrainProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_dir(dir_.path().string(), 300, 100, 10, /*gzip=*/true);
  }

  std::vector<std::string> argv(std::vector<std::string> extra) const {
    std::vector<std::string> args{built_binary("labsweep-train"),
                                  "--data=" + dir_.path().string(),
                                  "--device=cpu",
                                  "--threads=1",
                                  "--batch-size=32",
                                  "--lr=0.01"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  TempDir dir_;
};

TEST_F(TrainProgramTest, TrainsOnTinyDataAndPrintsTheTable) {
  ProcessResult r = run_process(argv({"--epochs=2", "--schedule=constant"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("device: cpu"));
  EXPECT_THAT(r.out, HasSubstr("data: 270 training, 30 validation, 100 test rows from "));
  EXPECT_THAT(r.out, HasSubstr("epoch  train_loss  val_loss  val_accuracy        lr  epoch_time_s  "
                               "samples_per_s\n"));
  EXPECT_TRUE(
      std::regex_search(r.out, std::regex(R"(\n    1 +\d+\.\d{4} +\d+\.\d{4} +\d+\.\d\d%)")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\n    2 +\d+\.\d{4} )"))) << r.out;
  std::smatch test;
  ASSERT_TRUE(std::regex_search(
      r.out, test,
      std::regex(R"(test: loss \d+\.\d{4}, accuracy (\d+\.\d\d)% \(100 rows\) after 2 epochs)")))
      << r.out;
  EXPECT_GT(std::stod(test[1]), 60.0) << "the pictures are easy: training must have learnt them";
}

TEST_F(TrainProgramTest, BadFlagsExitWithTwoAndMissingDataWithOne) {
  ProcessResult bad = run_process(argv({"--dropout=1.5"}));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "labsweep-train: --dropout=1.5: expected a number with 0 <= value < 1\n");
  ProcessResult missing = run_process({built_binary("labsweep-train"), "--data=/nonexistent"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "labsweep-train: /nonexistent/train-images-idx3-ubyte(.gz): no such file (--data names "
            "a directory of IDX files)\n");
}

#if !LABSWEEP_TRAINER_CUDA
TEST_F(TrainProgramTest, CudaAskedOfABinaryWithoutItIsAnError) {
  ProcessResult r = run_process(argv({"--device=cuda"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--device=cuda: this labsweep-train was built without the CUDA"));
}
#endif

TEST_F(TrainProgramTest, SigtermEndsTheRunBetweenBatchesWithExitZero) {
  BackgroundProcess trainer(argv({"--epochs=10000"}), dir_.path() / "trainer");
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (trainer.out().find("\n    1 ") == std::string::npos) {  // an epoch is under way
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << trainer.out() << trainer.err();
    ASSERT_FALSE(trainer.wait(std::chrono::milliseconds(20)).has_value()) << trainer.err();
  }
  trainer.signal(SIGTERM);
  std::optional<int> code = trainer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value()) << "still running 30 s after SIGTERM";
  EXPECT_EQ(*code, 0) << trainer.err();
  EXPECT_THAT(trainer.out(), HasSubstr("\nstopped: SIGTERM\n"));
  EXPECT_THAT(trainer.out(), Not(HasSubstr("test: loss")));
}

// labsweep-train as a trial: the agent's side of the socket is served here.
class TrainUnderLabsweepTest : public TrainProgramTest {
 protected:
  void SetUp() override {
    TrainProgramTest::SetUp();
    auto opened = agent::TrialSocket::open(socket_path_, clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    socket_ = std::move(*opened);
  }

  std::unique_ptr<BackgroundProcess> start(std::vector<std::string> extra) {
    std::vector<std::string> args{"/usr/bin/env", "LABSWEEP_SOCKET=" + socket_path_.string()};
    for (std::string& a : argv(std::move(extra))) args.push_back(std::move(a));
    return std::make_unique<BackgroundProcess>(args, dir_.path() / "trainer");
  }

  // Serves the socket until `done` (bounded: give-up, not timing).
  void serve_until(const std::function<bool()>& done) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done()) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "gave up serving the trial";
      pollfd p{socket_->fd(), POLLIN, 0};
      poll(&p, 1, 20);
      for (agent::TrialSocketEvent& e : socket_->service()) {
        if (auto* r = std::get_if<agent::ReceivedReport>(&e)) reports_.push_back(r->report);
        if (auto* q = std::get_if<agent::ReceivedQuery>(&e)) {
          queried_steps_.push_back(q->step);
          socket_->answer(q->id, decide_(q->step));
        }
        if (auto* bad = std::get_if<agent::RejectedLine>(&e)) ADD_FAILURE() << bad->error;
      }
    }
  }

  std::filesystem::path socket_path_ = dir_.path() / "trial.sock";
  labsweep::testing::FakeClock clock_;
  std::unique_ptr<agent::TrialSocket> socket_;
  std::vector<agent::TrialReport> reports_;
  std::vector<int64_t> queried_steps_;
  std::function<agent::StopDecision(int64_t step)> decide_ = [](int64_t) {
    return agent::StopDecision{false, ""};
  };
};

TEST_F(TrainUnderLabsweepTest, ReportsEveryEpochAndTheTestSet) {
  std::unique_ptr<BackgroundProcess> trainer = start({"--epochs=2"});
  std::optional<int> code;
  serve_until([&] { return (code = trainer->wait(std::chrono::milliseconds(0))).has_value(); });
  serve_until([&] { return reports_.size() >= 3; });  // what was sent before the exit
  ASSERT_EQ(*code, 0) << trainer->err();
  ASSERT_EQ(reports_.size(), 3u);
  using ::testing::ElementsAre;
  for (int epoch : {1, 2}) {
    EXPECT_EQ(reports_[static_cast<size_t>(epoch - 1)].step, epoch);
    EXPECT_THAT(
        metric_names(reports_[static_cast<size_t>(epoch - 1)]),
        ElementsAre("train_loss", "val_loss", "val_accuracy", "epoch_time_s", "samples_per_s"));
  }
  EXPECT_EQ(reports_[2].step, 2);
  EXPECT_THAT(metric_names(reports_[2]), ElementsAre("test_loss", "test_accuracy"));
  EXPECT_THAT(trainer->out(), HasSubstr("test: loss"));  // the table is printed too
}

TEST_F(TrainUnderLabsweepTest, AsksForTheDecisionAfterEveryEpochAndStopsWhenToldTo) {
  decide_ = [](int64_t step) {
    return step < 2 ? agent::StopDecision{false, ""} : agent::StopDecision{true, "hyperband"};
  };
  std::unique_ptr<BackgroundProcess> trainer = start({"--epochs=10000"});
  std::optional<int> code;
  serve_until([&] { return (code = trainer->wait(std::chrono::milliseconds(0))).has_value(); });
  EXPECT_EQ(*code, 0) << trainer->err();
  EXPECT_EQ(queried_steps_, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].step, 2);
  EXPECT_THAT(trainer->out(), HasSubstr("\nstopped: stop notice: hyperband\n"));
  EXPECT_THAT(trainer->out(), Not(HasSubstr("test: loss")));
}

TEST_F(TrainUnderLabsweepTest, AStopNoticeEndsTheRunPromptlyWithExitZero) {
  std::unique_ptr<BackgroundProcess> trainer = start({"--epochs=10000"});
  serve_until([&] { return !reports_.empty(); });
  socket_->send_stop_notice("asha: below the cut-off");
  std::optional<int> code;
  serve_until([&] { return (code = trainer->wait(std::chrono::milliseconds(0))).has_value(); });
  EXPECT_EQ(*code, 0) << trainer->err();
  EXPECT_THAT(trainer->out(), HasSubstr("\nstopped: stop notice: asha: below the cut-off\n"));
  EXPECT_THAT(trainer->out(), Not(HasSubstr("test: loss")));
  EXPECT_EQ(reports_.front().step, 1);
  EXPECT_LT(reports_.size(), 10000u);
}

}  // namespace
}  // namespace labsweep::trainer
