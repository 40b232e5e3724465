#pragma once

// Replays a sweep over a table of recorded learning curves in simulated time
// (docs/benchmarks.md, "bench-curves"): the sweep's own search method and stopping rules, as the
// orchestrator builds them, decide what runs and what stops, and each "trial" reports the
// recorded curve of the configuration its values select, one epoch at a time, each epoch taking
// its recorded duration on one of N workers. Thousands of sweeps replay in seconds.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/curve_table.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::bench {

struct ReplayOptions {
  int workers = 4;               // trials running at once
  int64_t budget_epochs = 3000;  // the replay ends when this many epochs have been trained
  uint64_t seed = 0;             // the search method's seed
};

// What the sweep decided for one trial, once it ended.
struct TrialDecision {
  int64_t trial = 0;  // 1, 2, ... in the order the trials started (the rules' trial id)
  uint64_t suggestion = 0;
  size_t config = 0;   // in CurveTable::configs()
  int epochs_run = 0;  // epochs it trained (and reported)
  bool stopped_early = false;
  std::string reason;  // the stopping rule's, when stopped_early
  double start_s = 0;  // simulated seconds since the sweep began
  double end_s = 0;
};

// The best trial so far, from the moment `epochs_spent` epochs had been trained: the trial that
// ran every epoch of its curve with the best metric value at its last epoch (a trial stopped
// early, or cut off by the budget, left no finished model to choose).
struct BestSoFar {
  int64_t epochs_spent = 0;
  double time_s = 0;
  size_t config = 0;
  double metric = 0;  // the sweep metric at the last epoch
  double val_accuracy = 0;
  double test_accuracy = 0;
};

struct ReplayResult {
  std::vector<TrialDecision> trials;  // in the order they ended
  std::vector<BestSoFar> best;        // each improvement, in order
  int64_t epochs_spent = 0;
  double time_s = 0;  // simulated, when the replay ended
};

// The best trial once `budget` epochs had been trained; nullptr while no trial had finished.
const BestSoFar* best_at(const ReplayResult& result, int64_t budget);

// Replays the sweep `spec` (its parameters must be exactly the table's axes, its metric
// val_accuracy or val_loss) until the budget is spent or the search method has no more
// suggestions. `on_trial_end`, when set, hears each decision as the trial ends. Errors: a
// search method that is not available, a parameter the table lacks, a suggestion the table
// has no curve for.
Result<ReplayResult> replay(const sweeps::SweepSpec& spec, const CurveTable& table,
                            const ReplayOptions& options,
                            const std::function<void(const TrialDecision&)>& on_trial_end = {});

}  // namespace labsweep::bench
