#pragma once

// The factories of the built-in search methods, one per file in this folder; the registry in
// search_method.cc names them.

#include <cstdint>
#include <memory>

#include "sweeps/search/search_method.h"

namespace labsweep::sweeps {

std::unique_ptr<SearchMethod> make_bayes_search(const SweepSpec& spec, uint64_t seed);
std::unique_ptr<SearchMethod> make_grid_search(const SweepSpec& spec, uint64_t seed);
std::unique_ptr<SearchMethod> make_random_search(const SweepSpec& spec, uint64_t seed);
std::unique_ptr<SearchMethod> make_sobol_search(const SweepSpec& spec, uint64_t seed);
std::unique_ptr<SearchMethod> make_tpe_search(const SweepSpec& spec, uint64_t seed);

}  // namespace labsweep::sweeps
