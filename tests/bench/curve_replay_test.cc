#include "bench/curve_replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "bench/curve_table.h"
#include "tests/support/sweep_text.h"

namespace labsweep::bench {
namespace {

using labsweep::testing::valid_spec;

constexpr int kEpochs = 9;  // ASHA with min 1, eta 3: rungs 1, 3 and 9
constexpr int kBestA = 4;
constexpr int kBestB = 2;

// Accuracy after `epoch` of configuration (a, b) of a 6 x 6 grid: it rises towards a final
// value that is highest, uniquely, at (kBestA, kBestB); the others rise at different speeds, so
// their curves cross, but none is ever above the best one's.
double accuracy(int a, int b, int epoch) {
  double final_value = a == kBestA && b == kBestB ? 0.9 : 0.5 + 0.05 * ((a * 7 + b * 3) % 7);
  double speed = a == kBestA && b == kBestB ? 1.0 : 1.0 + (a + b) % 3;
  return final_value - (final_value - 0.1) * std::exp(-epoch / speed);
}

std::string synthetic_csv() {
  std::ostringstream csv;
  csv << "a,b,epoch,val_accuracy,val_loss,epoch_time_s,test_accuracy\n";
  for (int a = 1; a <= 6; ++a) {
    for (int b = 1; b <= 6; ++b) {
      for (int e = 1; e <= kEpochs; ++e) {
        double acc = accuracy(a, b, e);
        csv << a << ',' << b << ',' << e << ',' << acc << ',' << 1 - acc << ',' << 1 + 0.25 * a
            << ',';
        if (e == kEpochs) csv << acc - 0.01;
        csv << '\n';
      }
    }
  }
  return csv.str();
}

const CurveTable& table() {
  static const CurveTable t = *CurveTable::parse(synthetic_csv());
  return t;
}

std::string sweep(const std::string& extra) {
  return "program: t.py\nmethod: random\nmetric: {name: val_accuracy, goal: maximize}\n"
         "parameters:\n  a: {values: [1, 2, 3, 4, 5, 6]}\n  b: {values: [1, 2, 3, 4, 5, 6]}\n" +
         extra;
}

const std::string kAsha =
    "labsweep:\n  early_stopping: [{type: asha, min_resource: 1, max_resource: 9, eta: 3}]\n";

size_t best_config() { return *table().find({kBestA, kBestB}); }

// The epochs spent when the best configuration's trial had finished; -1 if it never did.
int64_t epochs_to_find_best(const ReplayResult& r) {
  for (const BestSoFar& b : r.best) {
    if (b.config == best_config()) return b.epochs_spent;
  }
  return -1;
}

ReplayResult replayed(const sweeps::SweepSpec& spec, ReplayOptions options) {
  Result<ReplayResult> r = replay(spec, table(), options);
  EXPECT_TRUE(r) << r.status().message();
  return r ? *r : ReplayResult{};
}

TEST(CurveReplayTest, RandomAndAshaBothFindTheBestConfiguration) {
  sweeps::SweepSpec random = valid_spec(sweep(""));
  sweeps::SweepSpec asha = valid_spec(sweep(kAsha));
  int64_t random_epochs = 0, asha_epochs = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    ReplayOptions options{.workers = 2, .budget_epochs = 36 * kEpochs * 8, .seed = seed};
    ReplayResult r = replayed(random, options);
    ReplayResult s = replayed(asha, options);
    ASSERT_NE(best_at(r, options.budget_epochs), nullptr);
    ASSERT_NE(best_at(s, options.budget_epochs), nullptr);
    EXPECT_EQ(best_at(r, options.budget_epochs)->config, best_config()) << "seed " << seed;
    EXPECT_EQ(best_at(s, options.budget_epochs)->config, best_config()) << "seed " << seed;
    EXPECT_NEAR(best_at(s, options.budget_epochs)->test_accuracy,
                accuracy(kBestA, kBestB, kEpochs) - 0.01, 1e-5);  // as the CSV rounds it
    random_epochs += epochs_to_find_best(r);
    asha_epochs += epochs_to_find_best(s);
  }
  // ASHA stops most trials after 1 or 3 of their 9 epochs, and never the best one (it leads at
  // every rung), so it meets it after far fewer epochs.
  EXPECT_LT(asha_epochs * 2, random_epochs) << asha_epochs << " vs " << random_epochs;
}

TEST(CurveReplayTest, WithoutStoppingEveryTrialRunsItsWholeCurve) {
  ReplayResult r = replayed(valid_spec(sweep("")), {.workers = 3, .budget_epochs = 200});
  ASSERT_FALSE(r.trials.empty());
  for (const TrialDecision& d : r.trials) {
    EXPECT_EQ(d.epochs_run, kEpochs);
    EXPECT_FALSE(d.stopped_early);
  }
  EXPECT_EQ(r.epochs_spent, 200);  // the budget ends the replay, trials still running
}

TEST(CurveReplayTest, AshaStopsAtRungsWithAReason) {
  std::vector<TrialDecision> heard;
  Result<ReplayResult> r =
      replay(valid_spec(sweep(kAsha)), table(), {.workers = 1, .budget_epochs = 300},
             [&](const TrialDecision& d) { heard.push_back(d); });
  ASSERT_TRUE(r);
  ASSERT_EQ(heard.size(), r->trials.size());
  int stopped = 0;
  for (size_t i = 0; i < heard.size(); ++i) {
    const TrialDecision& d = heard[i];
    EXPECT_EQ(d.trial, r->trials[i].trial);
    EXPECT_THAT(d.epochs_run, ::testing::AnyOf(1, 3, kEpochs));
    if (d.stopped_early) {
      ++stopped;
      EXPECT_THAT(d.reason, ::testing::StartsWith("rung " + std::to_string(d.epochs_run) + ": "));
    }
  }
  EXPECT_GT(stopped, 0);
  EXPECT_FALSE(heard[0].stopped_early);  // the first trial at a rung always continues
}

TEST(CurveReplayTest, OneWorkerRunsTrialsBackToBackInRecordedTime) {
  ReplayResult r = replayed(valid_spec(sweep("")), {.workers = 1, .budget_epochs = 5 * kEpochs});
  ASSERT_EQ(r.trials.size(), 5u);
  double clock = 0;
  for (const TrialDecision& d : r.trials) {
    EXPECT_DOUBLE_EQ(d.start_s, clock);
    double length = 0;
    for (const EpochRecord& e : table().configs()[d.config].epochs) length += e.epoch_time_s;
    EXPECT_NEAR(d.end_s - d.start_s, length, 1e-9);
    clock = d.end_s;
  }
  EXPECT_DOUBLE_EQ(r.time_s, clock);
}

TEST(CurveReplayTest, ReplaysAreDeterministic) {
  sweeps::SweepSpec spec = valid_spec(sweep(kAsha));
  ReplayResult one = replayed(spec, {.workers = 4, .budget_epochs = 500, .seed = 7});
  ReplayResult two = replayed(spec, {.workers = 4, .budget_epochs = 500, .seed = 7});
  ASSERT_EQ(one.trials.size(), two.trials.size());
  for (size_t i = 0; i < one.trials.size(); ++i) {
    EXPECT_EQ(one.trials[i].config, two.trials[i].config);
    EXPECT_EQ(one.trials[i].epochs_run, two.trials[i].epochs_run);
    EXPECT_EQ(one.trials[i].reason, two.trials[i].reason);
  }
}

TEST(CurveReplayTest, BestAtFollowsTheImprovements) {
  ReplayResult r;
  r.best = {{.epochs_spent = 10, .config = 1}, {.epochs_spent = 30, .config = 2}};
  EXPECT_EQ(best_at(r, 9), nullptr);
  EXPECT_EQ(best_at(r, 10)->config, 1u);
  EXPECT_EQ(best_at(r, 29)->config, 1u);
  EXPECT_EQ(best_at(r, 30)->config, 2u);
}

TEST(CurveReplayTest, RejectsASweepThatDoesNotFitTheTable) {
  auto error = [](const std::string& yaml) {
    Result<ReplayResult> r = replay(valid_spec(yaml), table(), {});
    return r ? std::string() : r.status().message();
  };
  EXPECT_EQ(error("program: t.py\nmethod: random\nmetric: {name: val_accuracy, goal: maximize}\n"
                  "parameters:\n  a: {values: [1, 2]}\n  c: {values: [1, 2]}\n"),
            "parameter 'c' is not an axis of the table");
  EXPECT_EQ(error("program: t.py\nmethod: random\nmetric: {name: val_accuracy, goal: maximize}\n"
                  "parameters:\n  a: {values: [1, 2]}\n"),
            "the sweep has 1 parameters, the table 2 axes");
  EXPECT_EQ(error("program: t.py\nmethod: random\nmetric: {name: loss}\n"
                  "parameters:\n  a: {values: [1, 2]}\n  b: {values: [1, 2]}\n"),
            "the sweep's metric must be val_accuracy or val_loss");
  EXPECT_EQ(error("program: t.py\nmethod: random\nmetric: {name: val_accuracy, goal: maximize}\n"
                  "parameters:\n  a: {values: [7]}\n  b: {values: [1]}\n"),
            "no recorded configuration 7,1 in the table");
}

}  // namespace
}  // namespace labsweep::bench
