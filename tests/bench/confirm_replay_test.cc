// The confirmation replay (docs/benchmarks.md, "bench-curves"): a sweep of bench-curves over the
// recorded table runs once through the real system (a `labsweep server`, one agent with one CPU
// slot, max_concurrent 1, a trial program that reports its recorded curve and waits for the
// decision on each report) and once through bench::replay() with one worker; both must make
// the same decisions, trial for trial.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench/curve_replay.h"
#include "bench/curve_sweeps.h"
#include "bench/curve_table.h"
#include "sweeps/sweep_reader.h"
#include "tests/integration/lab.h"

namespace labsweep::bench {
namespace {

using labsweep::testing::Lab;

// Enough trials that both rules stop some and let others finish; few enough that one sweep runs
// in seconds (each trial is a Python process making up to 27 reports and decisions).
constexpr int kTrials = 25;
constexpr uint64_t kSeed = 7;

const std::string kTablePath = LABSWEEP_SOURCE_DIR "/bench/data/fashion_curves.csv";
const std::string kTrialProgram = LABSWEEP_SOURCE_DIR "/tests/bench/curve_trial.py";

const CurveTable& recorded_table() {
  static const CurveTable table = [] {
    Result<CurveTable> loaded = CurveTable::load(kTablePath);
    EXPECT_TRUE(loaded) << loaded.status().message();
    return loaded ? std::move(*loaded) : CurveTable{};
  }();
  return table;
}

// bench-curves' sweep file for the method, run by curve_trial.py one trial at a time.
std::string confirm_sweep(const std::string& method_name) {
  const CurveTable& table = recorded_table();
  std::vector<CurveMethod> methods = curve_methods(table.epochs());
  auto method = std::find_if(methods.begin(), methods.end(),
                             [&](const CurveMethod& m) { return m.name == method_name; });
  EXPECT_NE(method, methods.end()) << method_name;
  if (method == methods.end()) return "";
  // python3 -S: the trial needs nothing from site-packages, and starts a good deal faster.
  SweepAdditions additions{
      .head = "command: [python3, -S, '" + kTrialProgram + "', '--table=" + kTablePath +
              "', '${args}']\nrun_cap: " + std::to_string(kTrials) + "\n",
      .labsweep =
          "  resources: {gpus: 0}\n  max_concurrent: 1\n  seed: " + std::to_string(kSeed) + "\n"};
  return curve_sweep_yaml(table, *method, additions);
}

// One trial as the real system recorded it (the API's Trial object).
struct ObservedTrial {
  int64_t id = 0;
  uint64_t suggestion = 0;
  std::vector<double> values{};  // in the table's axis order
  int64_t epochs_run = 0;        // val_accuracy points stored
  int64_t last_step = -1;
  std::string status{};
  std::string reason{};
};

ObservedTrial observed(const nlohmann::json& trial, const CurveTable& table) {
  ObservedTrial t{.id = trial.at("id").get<int64_t>(),
                  .suggestion = trial.at("suggestion_index").get<uint64_t>(),
                  .status = trial.at("status").get<std::string>(),
                  .reason = trial.at("stop_reason").get<std::string>()};
  for (const std::string& axis : table.axes())
    t.values.push_back(trial.at("params").at(axis).get<double>());
  const nlohmann::json& metrics = trial.at("metrics");
  if (metrics.contains("val_accuracy")) {
    t.epochs_run = metrics.at("val_accuracy").at("count").get<int64_t>();
    t.last_step = metrics.at("val_accuracy").at("last_step").get<int64_t>();
  }
  return t;
}

std::string values_text(const std::vector<double>& values) {
  std::ostringstream out;
  for (size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
  return "[" + out.str() + "]";
}

// Runs the sweep through a server and one agent; its trials in the order they started.
std::vector<ObservedTrial> run_through_lab(const std::string& yaml) {
  Lab lab;
  lab.start_server();
  lab.start_agent("a", {"--cpu-slots", "1"});
  int64_t sweep = lab.submit(yaml);
  nlohmann::json done = lab.wait_for_sweep(sweep, "completed", std::chrono::seconds(300));
  EXPECT_EQ(done["seed"], kSeed) << "the orchestrator's search seed is the sweep's";
  EXPECT_EQ(done["counts"]["total"], kTrials) << done.dump();
  std::vector<ObservedTrial> trials;
  for (const nlohmann::json& t : lab.trials(sweep)) {
    trials.push_back(observed(t, recorded_table()));
    EXPECT_TRUE(trials.back().status == "completed" || trials.back().status == "stopped")
        << "trial " << t["id"] << " ended " << t["status"] << ": " << t["stderr_tail"]
        << "\nagent:\n"
        << lab.agent("a").err();
  }
  std::sort(trials.begin(), trials.end(),
            [](const ObservedTrial& a, const ObservedTrial& b) { return a.id < b.id; });
  return trials;
}

// The same sweep replayed with one worker and the sweep's own seed; the first kTrials
// decisions, in the order the trials started.
std::vector<TrialDecision> replayed(const std::string& yaml) {
  sweeps::ReadResult read = sweeps::read_sweep(yaml);
  EXPECT_TRUE(read.spec) << yaml;
  if (!read.spec) return {};
  const CurveTable& table = recorded_table();
  ReplayOptions options{.workers = 1,
                        .budget_epochs = int64_t{kTrials} * table.epochs(),
                        .seed = read.spec->labsweep.seed.value_or(0)};
  EXPECT_EQ(options.seed, kSeed);
  Result<ReplayResult> result = replay(*read.spec, table, options);
  EXPECT_TRUE(result) << result.status().message();
  if (!result) return {};
  std::vector<TrialDecision> decisions = result->trials;
  std::sort(decisions.begin(), decisions.end(),
            [](const TrialDecision& a, const TrialDecision& b) { return a.trial < b.trial; });
  EXPECT_GE(decisions.size(), static_cast<size_t>(kTrials)) << "a budget of 27 epochs per trial";
  decisions.resize(std::min(decisions.size(), static_cast<size_t>(kTrials)));
  return decisions;
}

void expect_same_decision(const TrialDecision& want, const ObservedTrial& got) {
  const CurveTable& table = recorded_table();
  std::string which =
      "trial " + std::to_string(want.trial) + " (the lab's trial " + std::to_string(got.id) + ")";
  EXPECT_EQ(got.suggestion, want.suggestion) << which << ": suggestion index";
  EXPECT_EQ(got.values, table.configs()[want.config].values)
      << which << ": configuration " << values_text(got.values) << " in the lab, "
      << values_text(table.configs()[want.config].values) << " in the replay";
  EXPECT_EQ(got.epochs_run, want.epochs_run) << which << ": epochs run";
  EXPECT_EQ(got.last_step, want.epochs_run) << which << ": last step reported";
  EXPECT_EQ(got.status == "stopped", want.stopped_early)
      << which << ": " << got.status << " in the lab, "
      << (want.stopped_early ? "stopped early" : "finished") << " in the replay";
  EXPECT_EQ(got.reason, want.reason) << which << ": stop reason";
}

class ConfirmReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfirmReplayTest, TheRealSystemMakesTheReplaysDecisions) {
  ASSERT_FALSE(recorded_table().configs().empty());
  std::string yaml = confirm_sweep(GetParam());
  ASSERT_FALSE(yaml.empty());
  std::vector<TrialDecision> want = replayed(yaml);
  ASSERT_EQ(want.size(), static_cast<size_t>(kTrials));
  // Both outcomes must occur, or the comparison would not exercise the rule.
  auto stopped = std::count_if(want.begin(), want.end(),
                               [](const TrialDecision& d) { return d.stopped_early; });
  EXPECT_GT(stopped, 0) << "the replay stopped no trial";
  EXPECT_LT(stopped, kTrials) << "the replay let no trial finish";

  std::vector<ObservedTrial> got = run_through_lab(yaml);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) expect_same_decision(want[i], got[i]);
}

INSTANTIATE_TEST_SUITE_P(Methods, ConfirmReplayTest,
                         ::testing::Values("random+asha", "random+hyperband", "tpe+asha"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name;
                           for (char c : info.param)
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           return name;
                         });

}  // namespace
}  // namespace labsweep::bench
