#pragma once

// W&B's `early_terminate:` section (reference §6): hyperband's keys, their checks and its
// bands.

#include <cstdint>
#include <optional>
#include <vector>

#include "sweeps/diagnostic.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

struct Hyperband {
  std::vector<int64_t> bands;  // ascending iteration counts at which trials are judged
  double eta = 3.0;
  bool strict = true;  // the current engine's default (wandb/sweeps PR #108)
};

// Reads the section; on error adds diagnostics and returns nullopt.
std::optional<Hyperband> read_early_terminate(const Value& section, Diagnostics& diagnostics);

// The bands of reference §6.2. From max_iter: divide by eta s times, keeping int(band) while it
// is at least 1, sorted ascending. From min_iter: int(min_iter * eta^k) for k = 0..99.
std::vector<int64_t> hyperband_bands_from_max_iter(int64_t max_iter, int64_t s, double eta);
std::vector<int64_t> hyperband_bands_from_min_iter(int64_t min_iter, double eta);

}  // namespace labsweep::sweeps
