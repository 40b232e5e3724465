#pragma once

// A search method proposes the parameter values of the next trial. Methods live one per file
// in sweeps/search/ and are registered by name; the orchestrator asks lazily, one trial at a
// time, whenever a slot is free.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sweeps/sweep_spec.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

struct Suggestion {
  // The method's own sequence number for it: the grid point, or the draw of a random search.
  // Suggestions are reproducible from the sweep's seed and this index.
  uint64_t index = 0;
  std::vector<Value> values{};  // one per SweepSpec::parameters entry, in that order
};

// What became of a trial, for the methods that learn from results (bayes, tpe).
enum class TrialOutcome {
  kRunning,   // suggested and not ended: pending, placed or running
  kFinished,  // ended with its reports standing: completed, or stopped (early or by a user)
  kFailed,    // failed or lost: its reports, if any, are not trusted
};

struct TrialResult {
  uint64_t index = 0;           // the suggestion's index
  std::vector<Value> values{};  // the suggestion's values, one per SweepSpec::parameters entry
  TrialOutcome outcome = TrialOutcome::kRunning;
  // The sweep metric as the trial reported it, raw (the method applies the goal); each nullopt
  // while it reported no finite value.
  std::optional<double> best{};    // its best value: the minimum, or the maximum when maximizing
  std::optional<double> latest{};  // its value at last_step
  int64_t last_step = -1;          // the highest step it reported the metric at; -1: none
  // It was stopped before its end, by a rule or a user: Optuna's "pruned".
  bool stopped_early = false;
};

class SearchMethod {
 public:
  virtual ~SearchMethod() = default;

  // The next trial's values, or nullopt when the space is exhausted.
  virtual std::optional<Suggestion> next() = 0;

  // Records that a trial already holds the suggestion with this index (on resume, every
  // existing trial in any state counts, as in W&B), so that next() does not propose it again.
  virtual void mark_used(uint64_t index) = 0;

  // How many suggestions the method can make, or nullopt when it is unbounded.
  virtual std::optional<uint64_t> size() const = 0;

  // Whether observe() is worth calling: the method learns from results.
  virtual bool learns() const { return false; }

  // What became of a trial. A suggestion made by next() counts as running until it is observed
  // as finished or failed. After a restart every stored trial is observed again, in the order
  // the trials ended (running ones last), after mark_used; a method rebuilds its model from
  // these alone, so that its suggestions depend only on the seed and the order of results.
  virtual void observe(const TrialResult& result) { (void)result; }
};

// The search method the spec asks for: labsweep.search when set, else the W&B method. The spec
// must outlive the method, which keeps a reference to it.
Result<std::unique_ptr<SearchMethod>> make_search_method(const SweepSpec& spec, uint64_t seed);

// How many trials the sweep will run: the method's size capped by run_cap, or nullopt when
// that is unbounded (random or bayes search without run_cap).
std::optional<uint64_t> planned_trial_count(const SweepSpec& spec, const SearchMethod& method);

// The name make_search_method looks up for `spec`.
std::string_view search_method_name(const SweepSpec& spec);

}  // namespace labsweep::sweeps
