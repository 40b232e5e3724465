#pragma once

// Early stopping (docs/early-stopping.md): a sweep's rules watch its trials' reports as they
// arrive and say which running trial to stop, and why, in words a user understands.
//
// The orchestrator feeds a rule every report of the metrics it watches, in the order each
// trial made them, and tells it when a trial stops running. A rule is rebuilt after a restart
// by feeding it the stored reports again in the same order; it keeps no other state.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

struct StopVerdict {
  bool stop = false;
  std::string reason;  // when stop: "rung 9: val_loss 0.412 is not in the top 1/3 (cut-off 0.388)"
};

// One report of one metric by one trial: its step (the resource axis unless a rule names
// another field) and the value as reported (a rule applies the goal itself); non-finite values
// arrive too.
struct Report {
  int64_t trial = 0;
  std::string metric;
  int64_t step = 0;
  double value = 0;
};

class StoppingRule {
 public:
  virtual ~StoppingRule() = default;

  // The metrics whose reports this rule needs (the orchestrator feeds it no others).
  virtual std::vector<std::string> metrics() const = 0;

  // A running trial's report. The verdict concerns that trial; a rule judges only the trial
  // that reported, so each decision costs O(log n) in the trials it compares against.
  virtual StopVerdict report(const Report& report) = 0;

  // The trial is no longer running (ended, stopped or lost): it is never judged again, and
  // what it reported still counts for the others.
  virtual void trial_ended(int64_t trial) = 0;
};

// The sweep's rules, W&B's `early_terminate` and the `labsweep.early_stopping` list, as one
// rule whose verdict is the first stop any of them gives; nullptr when the sweep has none.
std::unique_ptr<StoppingRule> make_stopping_rules(const SweepSpec& spec);

}  // namespace labsweep::sweeps
