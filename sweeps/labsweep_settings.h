#pragma once

// labsweep's own settings: the `labsweep:` block of a sweep file (docs/sweep-file.md), kept
// apart from W&B's keys so that a file stays readable by people who know W&B.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sweeps/diagnostic.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

// One early-stopping rule of `labsweep.early_stopping`. Its settings are checked for shape
// here (known keys, types, ranges); the rule itself is built from them by sweeps/stopping/.
struct StoppingRuleSpec {
  std::string type;      // median, asha or threshold
  std::string metric;    // empty: the sweep's metric
  std::string resource;  // the reported field that measures progress; "step" by default
  Map settings;          // the remaining keys, validated
  SourceLocation where;
};

struct LabsweepSettings {
  // GPUs per trial; nullopt: one GPU where the machine has any, else a CPU slot.
  std::optional<int64_t> gpus;
  std::optional<int64_t> max_concurrent;  // nullopt: as many as there are free slots
  int64_t max_retries = 0;  // attempts after the first when a trial fails or its machine is lost
  std::optional<uint64_t> seed;                  // nullopt: chosen when the sweep is submitted
  std::chrono::milliseconds stop_grace{30'000};  // after a stop notice, before SIGTERM
  std::chrono::milliseconds kill_delay{30'000};  // after SIGTERM, before SIGKILL
  std::optional<std::chrono::milliseconds> trial_timeout;
  std::optional<std::string> stdout_regex;  // group 1 names a metric, group 2 is its value
  std::vector<StoppingRuleSpec> early_stopping;
  std::optional<std::string> search;  // a search method beyond W&B's: tpe or sobol
};

// Reads the block; problems go to `diagnostics`.
LabsweepSettings read_labsweep_settings(const Value& block, Diagnostics& diagnostics);

}  // namespace labsweep::sweeps
