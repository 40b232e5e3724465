#pragma once

// A sweep the orchestrator runs or may resume (in memory, on the loop thread): its spec, its
// search method, and the counts the scheduler needs.

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>

#include "store/ids.h"
#include "store/sweep_state.h"
#include "sweeps/search/search_method.h"
#include "sweeps/stopping/stopping_rule.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::orchestrator {

struct LiveSweep {
  store::SweepId id{};
  std::string name{};
  std::unique_ptr<sweeps::SweepSpec> spec{};  // the method keeps a reference to it
  std::unique_ptr<sweeps::SearchMethod> method{};
  store::SweepState state = store::SweepState::kRunning;
  std::deque<store::TrialId> pending{};  // dispatched before new suggestions, oldest first
  int64_t running = 0;                   // trials running or awaiting their agent
  int64_t placing = 0;                   // new trials whose AddTrial has not completed
  int64_t trials_created = 0;            // suggestions used, in every state (run_cap counts them)
  bool exhausted = false;                // the method said it has nothing more
  // Its early-stopping rules (docs/early-stopping.md); null when it has none.
  std::unique_ptr<sweeps::StoppingRule> stopping_rule{};
  std::set<std::string> watched{};  // the metrics the rule is fed
  // The user was told that a trial ended without reporting the sweep's metric (said once).
  bool told_metric_missing = false;

  // No new suggestion may be asked for: the method is done or run_cap is reached.
  bool no_more_suggestions() const {
    if (exhausted) return true;
    std::optional<uint64_t> planned = sweeps::planned_trial_count(*spec, *method);
    return planned && static_cast<uint64_t>(trials_created) >= *planned;
  }
  bool has_work() const { return !pending.empty() || !no_more_suggestions(); }
  int64_t active() const { return running + placing; }
};

}  // namespace labsweep::orchestrator
