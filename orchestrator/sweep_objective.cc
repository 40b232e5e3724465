#include "orchestrator/sweep_objective.h"

#include <memory>
#include <utility>

#include "sweeps/search/search_method.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::orchestrator {

SweepObjective read_objective(std::string_view spec_text, int64_t seed) {
  SweepObjective objective;
  sweeps::ReadResult read = sweeps::read_sweep(spec_text);
  if (!read.spec) return objective;
  const sweeps::SweepSpec& spec = *read.spec;
  if (spec.metric) {
    objective.metric = spec.metric->name;
    objective.goal = spec.metric->goal;
  }
  Result<std::unique_ptr<sweeps::SearchMethod>> method =
      sweeps::make_search_method(spec, static_cast<uint64_t>(seed));
  if (method) objective.planned_trials = sweeps::planned_trial_count(spec, **method);
  return objective;
}

std::optional<SweepObjective> SweepObjectiveCache::find(store::SweepId sweep) {
  MutexLock lock(mu_);
  auto it = objectives_.find(sweep);
  if (it == objectives_.end()) return std::nullopt;
  return it->second;
}

SweepObjective SweepObjectiveCache::get(const store::SweepRecord& sweep) {
  if (std::optional<SweepObjective> known = find(sweep.id)) return *known;
  // Read outside the lock: two threads may both read a new sweep; they get the same answer.
  SweepObjective objective = read_objective(sweep.spec_text, sweep.seed);
  MutexLock lock(mu_);
  objectives_.emplace(sweep.id, objective);
  return objective;
}

}  // namespace labsweep::orchestrator
