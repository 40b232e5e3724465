#pragma once

// What a sweep aims at, read from its stored sweep file: the metric and its goal, and how many
// trials it plans; and the best value its trials have reached. The store keeps the file as text
// and knows nothing of sweeps/, so the API reads it here, once per sweep (a sweep's file never
// changes), and keeps the result.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/ids.h"
#include "store/records.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::orchestrator {

struct SweepObjective {
  std::optional<std::string> metric{};  // the sweep file's metric name, if it has one
  sweeps::Goal goal = sweeps::Goal::kMinimize;
  std::optional<uint64_t> planned_trials{};  // nullopt: unbounded, or the file does not read
};

// Reads the stored sweep file. A file that no longer reads (it was accepted by another
// version) yields no metric and no plan rather than an error: the sweep is still shown.
SweepObjective read_objective(std::string_view spec_text, int64_t seed);

// The best value of the objective's metric over `trials`' summaries, where it was reached first.
struct BestValue {
  double value = 0;
  store::TrialId trial{};
  int64_t step = 0;
};

// Folds pages of trials into the best value so far: the lowest minimum (minimize) or highest
// maximum (maximize); ties keep the earlier trial, so the answer does not depend on paging.
class BestValueTracker {
 public:
  BestValueTracker(std::string metric, sweeps::Goal goal)
      : metric_(std::move(metric)), goal_(goal) {}
  void add(const std::vector<store::TrialView>& trials);
  const std::optional<BestValue>& best() const { return best_; }

 private:
  std::string metric_;
  sweeps::Goal goal_;
  std::optional<BestValue> best_;
};

// read_objective, once per sweep; thread-safe.
class SweepObjectiveCache {
 public:
  SweepObjective get(const store::SweepRecord& sweep) EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::unordered_map<store::SweepId, SweepObjective> objectives_ GUARDED_BY(mu_);
};

}  // namespace labsweep::orchestrator
