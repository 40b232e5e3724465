#pragma once

// The sweep files bench-curves replays (docs/benchmarks.md, "bench-curves"): one per method under
// test, its parameters the table's axes as categoricals, its metric val_accuracy. The
// confirmation replay (tests/bench/confirm_replay_test.cc) runs the same files through the real
// system, with a command and settings of its own added.

#include <string>
#include <vector>

#include "bench/curve_table.h"

namespace labsweep::bench {

// A method under test: the sweep file's search and stopping sections.
struct CurveMethod {
  std::string name;
  std::string search;           // the `method:` line
  std::string early_terminate;  // W&B's early_terminate line, possibly empty
  std::string labsweep;         // the `labsweep:` block's lines, indented; possibly empty
};

// random, random+hyperband, random+asha (at ASHA's defaults), random+asha-eta3, random+asha-rank
// (Optuna's rule: eta 3, `cutoff: rank`), tpe+asha, tpe+asha-rank and bayes; the rules' largest
// resource is `max_epoch`.
std::vector<CurveMethod> curve_methods(int max_epoch);

// A number as YAML 1.1 (and W&B) reads it back exactly: ints plain, floats with a '.'.
std::string yaml_number(double v);

// What a sweep file adds to a method's: `head` replaces `program: train.py` (a `command:`, a
// `run_cap:`), `labsweep` lines (indented) join the method's labsweep block.
struct SweepAdditions {
  std::string head = "program: train.py\n";
  std::string labsweep{};
};

// The sweep file of `method` over the table's axes, each with the values the table holds.
std::string curve_sweep_yaml(const CurveTable& table, const CurveMethod& method,
                             const SweepAdditions& additions = {});

}  // namespace labsweep::bench
