// The shipped trial clients (clients/cpp/labsweep.hpp, clients/python/labsweep.py) against the
// real TrialSocket: reports arrive whole, should_stop queries get their decisions, stop notices
// are heard.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "agent/trial_socket.h"
#include "clients/cpp/labsweep.hpp"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using labsweep::testing::TempDir;
using ::testing::ElementsAre;

class TrialSocketClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = TrialSocket::open(path_, clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    socket_ = std::move(*opened);
  }

  // The agent's side: services the socket until `finished` is ready, answering each query with
  // `decide` (bounded: the clients finish in well under a second).
  template <typename T>
  void serve_until(std::future<T>& finished,
                   const std::function<StopDecision(const ReceivedQuery&)>& decide) {
    serve_while(
        [&] { return finished.wait_for(std::chrono::seconds(0)) != std::future_status::ready; },
        decide);
  }

  void serve_while(const std::function<bool()>& keep_going,
                   const std::function<StopDecision(const ReceivedQuery&)>& decide) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (keep_going()) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the client did not finish";
      pollfd p{socket_->fd(), POLLIN, 0};
      poll(&p, 1, 20);
      for (TrialSocketEvent& e : socket_->service()) {
        if (auto* q = std::get_if<ReceivedQuery>(&e)) socket_->answer(q->id, decide(*q));
        if (auto* r = std::get_if<ReceivedReport>(&e)) reports_.push_back(r->report);
        if (auto* bad = std::get_if<RejectedLine>(&e)) ADD_FAILURE() << bad->error;
      }
    }
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "trial.sock";
  FakeClock clock_;
  std::unique_ptr<TrialSocket> socket_;
  std::vector<TrialReport> reports_;
};

TEST_F(TrialSocketClientsTest, CppClientReportsAndAsksForDecisions) {
  std::future<std::vector<bool>> client = std::async(std::launch::async, [&] {
    labsweep_client::Environment env;
    env.socket_path = path_.string();
    labsweep_client::Trial trial(env);
    std::vector<bool> decisions;
    for (std::int64_t step = 0; step < 3; ++step) {
      trial.report(step, {{"loss", 1.0 / double(step + 1)}, {"acc", double(step) / 4}});
      decisions.push_back(trial.should_stop(labsweep_client::Wait::kForDecision));
    }
    decisions.push_back(trial.stop_reason() == "median: too slow");
    return decisions;
  });
  serve_until(client, [](const ReceivedQuery& q) {
    return q.step < 2 ? StopDecision{false, ""} : StopDecision{true, "median: too slow"};
  });
  EXPECT_THAT(client.get(), ElementsAre(false, false, true, true));
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[2].step, 2);
  EXPECT_THAT(reports_[2].metrics, ElementsAre(Metric{"loss", 1.0 / 3}, Metric{"acc", 0.5}));
}

TEST_F(TrialSocketClientsTest, CppClientHearsTheStopNotice) {
  std::future<std::string> client = std::async(std::launch::async, [&] {
    labsweep_client::Environment env;
    env.socket_path = path_.string();
    labsweep_client::Trial trial(env);
    trial.report(0, {{"loss", std::nan("")}});
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!trial.should_stop() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, not timing
    }
    return trial.stop_reason().value_or("(none)");
  });
  auto no_queries = [](const ReceivedQuery&) {
    ADD_FAILURE() << "unexpected query";
    return StopDecision{};
  };
  serve_while([&] { return reports_.empty(); }, no_queries);
  socket_->send_stop_notice("stopped by user");
  serve_until(client, no_queries);
  EXPECT_EQ(client.get(), "stopped by user");
}

TEST_F(TrialSocketClientsTest, PythonClientReportsAndAsksForDecisions) {
  std::string script = R"(
import math, sys
import labsweep
c = labsweep.Client(sys.argv[1])
c.report(0, loss=0.5, acc=1)
c.report(1, {"val/loss": float("nan"), "big": 1e300})
first = c.should_stop(wait=True)
c.report(2, loss=0.25)
second = c.should_stop(wait=True)
print(first, second, c.stop_reason())
)";
  std::future<labsweep::testing::ProcessResult> client = std::async(std::launch::async, [&] {
    return labsweep::testing::run_process(
        {"/usr/bin/env", "PYTHONPATH=" + std::string(LABSWEEP_SOURCE_DIR) + "/clients/python",
         "python3", "-c", script, path_.string()});
  });
  serve_until(client, [](const ReceivedQuery& q) {
    return q.step == 1 ? StopDecision{false, ""} : StopDecision{true, "threshold: loss"};
  });
  labsweep::testing::ProcessResult result = client.get();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "False True threshold: loss\n");
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_THAT(reports_[0].metrics, ElementsAre(Metric{"loss", 0.5}, Metric{"acc", 1}));
  EXPECT_THAT(reports_[1].metrics,
              ElementsAre(Metric{"val/loss", std::nan("")}, Metric{"big", 1e300}));
  EXPECT_EQ(reports_[2].step, 2);
}

}  // namespace
}  // namespace labsweep::agent
