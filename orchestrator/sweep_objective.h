#pragma once

// What a sweep aims at, read from its stored sweep file: the metric and its goal, and how many
// trials it plans. The store keeps the file as text and knows nothing of sweeps/, so the API
// reads it here, once per sweep (a sweep's file never changes), and keeps the result.

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
#include "store/store_reader.h"
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

// The best value of the objective's metric over a sweep's trials (the store finds it).
using BestValue = store::BestValue;

// The store's name for the sweep file's goal.
inline store::MetricGoal metric_goal(sweeps::Goal goal) {
  return goal == sweeps::Goal::kMaximize ? store::MetricGoal::kMaximize
                                         : store::MetricGoal::kMinimize;
}

// read_objective, once per sweep; thread-safe.
class SweepObjectiveCache {
 public:
  SweepObjective get(const store::SweepRecord& sweep) EXCLUDES(mu_);
  // The objective of a sweep already read, without its record; nullopt when not read yet.
  std::optional<SweepObjective> find(store::SweepId sweep) EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::unordered_map<store::SweepId, SweepObjective> objectives_ GUARDED_BY(mu_);
};

}  // namespace labsweep::orchestrator
