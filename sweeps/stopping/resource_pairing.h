#pragma once

// The resource axis of a stopping rule (docs/early-stopping.md): by default a report's own
// `step`; with `resource: epoch` the value the trial reported for `epoch` at the same step as
// the metric. The two series arrive as separate reports in either order, so a report waits for
// its partner of the same step; the pair is what a rule judges.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sweeps/stopping/stopping_rule.h"

namespace labsweep::sweeps {

// The watched metric's value at a point of the resource axis.
struct Progress {
  double resource = 0;
  double value = 0;
};

class ResourcePairing {
 public:
  // `resource` "step" (or empty) is the reports' step.
  ResourcePairing(std::string metric, std::string resource);

  // Whether progress is measured by another reported field than the step.
  bool named() const { return resource_ != "step"; }
  const std::string& resource() const { return resource_; }
  // The metric, and the resource when it is a reported field of its own.
  std::vector<std::string> metrics() const;

  // The progress this report completes, if any. A step reported twice keeps its first value,
  // as the store does; a report of another metric completes nothing.
  std::optional<Progress> pair(const Report& report);

  // Drops what waits for the trial's partners: it is not judged any more.
  void forget(int64_t trial) { pending_.erase(trial); }

  // How many reports wait for their partner, over all trials.
  size_t waiting() const;

 private:
  struct Pending {
    std::map<int64_t, double> values;     // by step, waiting for the resource
    std::map<int64_t, double> resources;  // by step, waiting for the value
  };

  std::optional<Progress> match(const Report& report, std::map<int64_t, double>& mine,
                                std::map<int64_t, double>& theirs, bool is_value);

  std::string metric_;
  std::string resource_;
  std::unordered_map<int64_t, Pending> pending_;
};

// A point of the resource axis as a reason shows it: "12" for a whole number, else Python's
// repr ("2.5").
std::string resource_text(double resource);

}  // namespace labsweep::sweeps
