// The system end to end: a server and agents as separate processes on loopback, real trials.

#include "tests/integration/lab.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "store/store_reader.h"
#include "tests/support/subprocess.h"

namespace labsweep::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

// A grid sweep of report.py over x in `xs`, each trial reporting `steps` steps.
std::string grid_sweep(const Lab& lab, const std::string& xs, int steps,
                       const std::string& extra_parameters = "",
                       const std::string& labsweep_block = "  resources: {gpus: 0}\n") {
  return "method: grid\n"
         "metric: {name: loss, goal: minimize}\n"
         "command: [python3, '" +
         Lab::trial_program() +
         "', '${args}']\n"
         "parameters:\n"
         "  x: {values: " +
         xs +
         "}\n"
         "  steps: {value: " +
         std::to_string(steps) +
         "}\n"
         "  log: {value: " +
         lab.trial_log() + "}\n" + extra_parameters + "labsweep:\n" + labsweep_block;
}

// How many points of `key` a trial (an API Trial object) holds; 0 when it has none.
int64_t point_count(const nlohmann::json& trial, const std::string& key) {
  const nlohmann::json& metrics = trial.at("metrics");
  return metrics.contains(key) ? metrics.at(key).at("count").get<int64_t>() : 0;
}

// Waits until `count` trials have written their line to the trial log: they really run.
void wait_for_log_lines(const Lab& lab, size_t count) {
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (lab.trial_log_lines().size() < count) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "trials did not start";
    std::this_thread::sleep_for(milliseconds(20));
  }
}

int pid_in_log_line(const std::string& line) {
  size_t at = line.find(" pid ");
  return std::stoi(line.substr(at + 5));
}

// Every trial's points, counted from the database itself.
std::map<int64_t, int64_t> points_per_trial(const Lab& lab, int64_t sweep, const std::string& key) {
  auto reader = store::StoreReader::open(lab.db());
  EXPECT_TRUE(reader.is_ok());
  std::map<int64_t, int64_t> counts;
  auto trials = (*reader)->trials(store::SweepId{sweep});
  for (const auto& t : *trials) {
    counts[t.trial.id.value] =
        static_cast<int64_t>((*reader)->metric_series(t.trial.id, key)->size());
  }
  return counts;
}

TEST(LabTest, GridSweepAcrossThreeAgentsRunsEveryTrialOnceAndKeepsEveryPoint) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  for (const char* name : {"a1", "a2", "a3"}) lab.start_agent(name, {"--cpu-slots", "2"});
  int64_t sweep = lab.submit(grid_sweep(lab, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", 25));
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed");
  EXPECT_EQ(done["counts"]["completed"], 12) << done.dump();
  EXPECT_EQ(done["best"]["trial"].is_number(), true);

  std::set<std::string> ran;
  for (const auto& line : lab.trial_log_lines()) ran.insert(line.substr(0, line.find(" pid")));
  EXPECT_EQ(ran.size(), 12u);
  EXPECT_EQ(lab.trial_log_lines().size(), 12u) << "a trial ran twice";
  std::set<int64_t> agents;
  for (const auto& t : lab.trials(sweep)) {
    EXPECT_EQ(t["attempts"], 1);
    EXPECT_EQ(t["exit_code"], 0);
    EXPECT_EQ(point_count(t, "loss"), 25) << t.dump();
    agents.insert(t["agent"].get<int64_t>());
  }
  EXPECT_EQ(agents.size(), 3u) << "every agent gets work";
  for (const auto& [trial, count] : points_per_trial(lab, sweep, "loss")) {
    EXPECT_EQ(count, 25) << "trial " << trial;
  }
}

TEST(LabTest, AgentKilledMidTrialHasItsTrialsRequeuedAndNoneOfThemSurvive) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  lab.start_agent("doomed", {"--cpu-slots", "2"});
  int64_t sweep = lab.submit(grid_sweep(lab, "[1, 2]", 40, "  step_s: {value: 0.05}\n",
                                        "  resources: {gpus: 0}\n  max_retries: 2\n"));
  lab.wait_for_running(sweep, 2);
  wait_for_log_lines(lab, 2);
  std::this_thread::sleep_for(milliseconds(300));  // the trials are reporting
  lab.agent("doomed").signal(SIGKILL);
  lab.agent("doomed").wait(seconds(5));
  lab.start_agent("survivor", {"--cpu-slots", "2"});
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed");
  EXPECT_EQ(done["counts"]["completed"], 2) << done.dump();
  for (const auto& t : lab.trials(sweep)) {
    EXPECT_EQ(t["attempts"], 2) << t.dump();
    EXPECT_EQ(point_count(t, "loss"), 40) << t.dump();
  }
  std::vector<std::string> lines = lab.trial_log_lines();
  ASSERT_EQ(lines.size(), 4u);
  for (const auto& line : lines) {
    EXPECT_FALSE(process_alive(pid_in_log_line(line))) << line;
  }
}

TEST(LabTest, CrashingTrialFailsWithExitCodeAndStderrTail) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  lab.start_agent("a", {"--cpu-slots", "1"});
  int64_t sweep = lab.submit(grid_sweep(lab, "[1]", 5, "  crash: {value: 3}\n"));
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed");
  EXPECT_EQ(done["counts"]["failed"], 1) << done.dump();
  nlohmann::json trial = lab.trials(sweep)[0];
  EXPECT_EQ(trial["status"], "failed");
  EXPECT_EQ(trial["exit_code"], 3);
  EXPECT_THAT(trial["stderr_tail"].get<std::string>(), HasSubstr("boom"));
  EXPECT_EQ(point_count(trial, "loss"), 1) << "the point before the crash is kept";
}

TEST(LabTest, TrialThatLeavesADaemonBehindTakesItWithIt) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  lab.start_agent("a", {"--cpu-slots", "1"});
  std::string pid_file = (lab.dir() / "daemon.pid").string();
  int64_t sweep = lab.submit(grid_sweep(lab, "[1]", 3, "  daemon: {value: " + pid_file + "}\n"));
  lab.wait_for_sweep(sweep, "completed");
  std::ifstream in(pid_file);
  int daemon = 0;
  ASSERT_TRUE(in >> daemon) << "the daemon never started";
  EXPECT_FALSE(process_alive(daemon));
}

TEST(LabTest, UserStopEndsEveryTrialProcess) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  lab.start_agent("a", {"--cpu-slots", "3"});
  int64_t sweep = lab.submit(grid_sweep(lab, "[1, 2, 3, 4]", 1000, "  step_s: {value: 0.05}\n",
                                        "  resources: {gpus: 0}\n  stop_grace_s: 1\n"
                                        "  kill_delay_s: 1\n"));
  lab.wait_for_running(sweep, 3);
  ProcessResult stop = run_process(
      {built_binary("labsweep"), "stop", std::to_string(sweep), "--url", lab.api().url()});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  nlohmann::json done = lab.wait_for_sweep(sweep, "stopped", seconds(20));
  auto settled = std::chrono::steady_clock::now() + seconds(5);
  for (;;) {
    nlohmann::json trials = lab.trials(sweep);
    bool ended = !trials.empty() && std::none_of(trials.begin(), trials.end(), [](const auto& t) {
      return t["status"] == "running" || t["status"] == "pending";
    });
    if (ended) break;
    ASSERT_LT(std::chrono::steady_clock::now(), settled) << trials.dump();
    std::this_thread::sleep_for(milliseconds(50));
  }
  for (const auto& t : lab.trials(sweep)) EXPECT_EQ(t["status"], "stopped") << t.dump();
  for (const auto& line : lab.trial_log_lines()) {
    EXPECT_FALSE(process_alive(pid_in_log_line(line))) << line;
  }
}

TEST(LabTest, NoTrialIsPlacedOnAGpuThatSomeoneElseUses) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  std::string gpus = (lab.dir() / "gpus.json").string();
  std::ofstream(gpus) << R"({"gpus": [
      {"name": "Fake H100", "memory_total_mb": 81559,
       "memory_used_mb": 30000, "processes": [{"pid": 1, "used_mb": 30000}]},
      {"name": "Fake H100", "memory_total_mb": 81559}]})";
  lab.start_agent("gpu-box", {"--fake-gpus", gpus});
  int64_t sweep = lab.submit(grid_sweep(lab, "[1, 2, 3]", 3, "", "  resources: {gpus: 1}\n"));
  lab.wait_for_sweep(sweep, "completed");
  std::vector<std::string> lines = lab.trial_log_lines();
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) EXPECT_THAT(line, ::testing::EndsWith("gpus 1")) << line;
  for (const auto& t : lab.trials(sweep)) EXPECT_EQ(t["gpus"], nlohmann::json::array({1}));
}

TEST(LabTest, OrchestratorKilledAndRestartedLosesNothingAndFinishesTheSweep) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  lab.start_agent("a", {"--cpu-slots", "2"});
  int64_t sweep =
      lab.submit(grid_sweep(lab, "[1, 2, 3, 4, 5, 6]", 30, "  step_s: {value: 0.02}\n"));
  lab.wait_for_running(sweep, 2);
  std::this_thread::sleep_for(milliseconds(300));
  lab.kill_server();
  std::this_thread::sleep_for(milliseconds(300));  // trials keep running, the agent keeps points
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed");
  EXPECT_EQ(done["counts"]["completed"], 6) << lab.trials(sweep).dump(1) << "\nfirst server:\n"
                                            << lab.server_log(1) << "\nsecond server:\n"
                                            << lab.server().err() << "\nagent:\n"
                                            << lab.agent("a").err();
  EXPECT_EQ(lab.trial_log_lines().size(), 6u) << "a running trial was re-adopted, not rerun";
  for (const auto& [trial, count] : points_per_trial(lab, sweep, "loss")) {
    EXPECT_EQ(count, 30) << "trial " << trial;
  }
}

TEST(LabTest, EarlyStoppedTrialsEndStoppedWithTheRulesReason) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  lab.start_agent("a", {"--cpu-slots", "1"});
  // loss = (x - 3)^2 + 1/(step + 1): x = 0 and 5 cross the bound at step 3, the first step the
  // rule checks; each trial asks for the decision after each report, so it stops right there.
  int64_t sweep = lab.submit(
      grid_sweep(lab, "[0, 3, 5]", 10, "  wait: {value: 1}\n",
                 "  resources: {gpus: 0}\n  max_concurrent: 1\n"
                 "  early_stopping:\n    - {type: threshold, bound: 2.0, after_step: 2}\n"));
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed");
  EXPECT_EQ(done["counts"]["completed"], 1) << done.dump();
  EXPECT_EQ(done["counts"]["stopped"], 2) << done.dump();
  std::map<double, nlohmann::json> by_x;
  for (const auto& t : lab.trials(sweep)) by_x[t["params"]["x"].get<double>()] = t;
  EXPECT_EQ(by_x[3]["status"], "completed");
  EXPECT_EQ(point_count(by_x[3], "loss"), 10);
  EXPECT_EQ(by_x[0]["status"], "stopped");
  EXPECT_EQ(by_x[0]["stop_reason"],
            "step 3: loss 9.25 is worse than the bound 2.0 (checked after step 2)");
  EXPECT_EQ(point_count(by_x[0], "loss"), 4);
  EXPECT_EQ(by_x[5]["stop_reason"],
            "step 3: loss 4.25 is worse than the bound 2.0 (checked after step 2)");

  ProcessResult shown = run_process(
      {built_binary("labsweep"), "show", std::to_string(sweep), "--url", lab.api().url()});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("trial " + by_x[0]["id"].dump() +
                                   ": step 3: loss 9.25 is worse than the bound 2.0"));
}

TEST(LabTest, GarbageOnTheAgentSocketIsIgnored) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.start_server());
  // Frames that are not MessagePack, MessagePack that is not a message, an unknown type, another
  // protocol version, several frames at once, an empty frame; then bytes that are not ZMTP.
  zmq::context_t context;
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(lab.agent_endpoint());
  std::vector<std::string> frames = {"\xc1",
                                     "hello agent",
                                     std::string(1000, '\xff'),
                                     "\x81\xa1t\xa3"
                                     "zzz",
                                     "\x82\xa1v\x07\xa1t\xa3"
                                     "ack",
                                     ""};
  for (const auto& frame : frames) dealer.send(zmq::buffer(frame), zmq::send_flags::none);
  dealer.send(zmq::str_buffer("one"), zmq::send_flags::sndmore);
  dealer.send(zmq::str_buffer("two"), zmq::send_flags::none);
  std::string port = lab.agent_endpoint().substr(lab.agent_endpoint().rfind(':') + 1);
  ProcessResult junk =
      run_process({"/usr/bin/python3", "-c",
                   "import socket, sys\n"
                   "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                   "s.sendall(bytes(range(256)) * 8)\n"
                   "s.close()\n",
                   port});
  EXPECT_EQ(junk.exit_code, 0) << junk.err;

  lab.start_agent("a", {"--cpu-slots", "1"});
  int64_t sweep = lab.submit(grid_sweep(lab, "[1, 2]", 3));
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed");
  EXPECT_EQ(done["counts"]["completed"], 2);
}

}  // namespace
}  // namespace labsweep::testing
