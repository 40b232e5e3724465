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

void BestValueTracker::add(const std::vector<store::TrialView>& trials) {
  const bool minimize = goal_ == sweeps::Goal::kMinimize;
  for (const store::TrialView& view : trials) {
    for (const store::MetricSummary& summary : view.summaries) {
      if (summary.key != metric_) continue;
      const std::optional<store::MetricExtreme>& extreme = minimize ? summary.min : summary.max;
      if (!extreme) continue;  // every value so far is NaN
      bool better =
          !best_ || (minimize ? extreme->value < best_->value : extreme->value > best_->value);
      bool tie_earlier = best_ && extreme->value == best_->value && view.trial.id < best_->trial;
      if (better || tie_earlier) best_ = BestValue{extreme->value, view.trial.id, extreme->step};
    }
  }
}

SweepObjective SweepObjectiveCache::get(const store::SweepRecord& sweep) {
  {
    MutexLock lock(mu_);
    auto it = objectives_.find(sweep.id);
    if (it != objectives_.end()) return it->second;
  }
  // Read outside the lock: two threads may both read a new sweep; they get the same answer.
  SweepObjective objective = read_objective(sweep.spec_text, sweep.seed);
  MutexLock lock(mu_);
  objectives_.emplace(sweep.id, objective);
  return objective;
}

}  // namespace labsweep::orchestrator
