#pragma once

// A trial the orchestrator still has work with: pending, running, or running on an agent that
// has not said hello since the orchestrator restarted. Ended trials are not kept in memory.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "store/ids.h"
#include "sweeps/search/search_method.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::orchestrator {

enum class TrialPhase {
  kPending,  // waiting for a slot (requeued, or recovered as pending)
  kRunning,  // assigned to an agent that is connected
  // Running at the orchestrator's start and its agent has not come back yet, or its agent came
  // back without it: waiting for its agent's word (hello, trial_ended) until agent_deadline.
  kAwaitingAgent,
};

// The sweep metric as a trial has reported it so far: what its search method learns when the
// trial ends, and how the user is told of a metric that no trial reports.
struct ReportedObjective {
  std::optional<double> best{};    // the best finite value, by the sweep's goal
  std::optional<double> latest{};  // the value at last_step, when finite
  int64_t last_step = -1;          // -1: never reported

  void add(int64_t step, double value, sweeps::Goal goal);
};

struct LiveTrial {
  store::TrialId id{};
  store::SweepId sweep{};
  std::string params_json{};
  sweeps::Suggestion suggestion{};  // its index and values, for the search method
  TrialPhase phase = TrialPhase::kPending;
  std::string agent{};      // its agent's name while running or awaiting it
  std::vector<int> gpus{};  // the GPUs of its current (or last) attempt; empty: a CPU slot
  int64_t attempts = 0;     // attempts started, this one included
  Clock::TimePoint started{};
  Clock::TimePoint agent_deadline{};      // kAwaitingAgent: when it is presumed lost
  std::optional<std::string> stopping{};  // why it is being stopped, once a Stop was sent
  // The last step of each watched metric fed to its sweep's stopping rule: a point at or below
  // it is a resend (or a late step) and is not fed again.
  std::map<std::string, int64_t> fed_steps{};
  ReportedObjective objective{};
};

}  // namespace labsweep::orchestrator
