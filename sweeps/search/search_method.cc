#include "sweeps/search/search_method.h"

#include <algorithm>
#include <string>

#include "sweeps/search/methods.h"

namespace labsweep::sweeps {
namespace {

using Factory = std::unique_ptr<SearchMethod> (*)(const SweepSpec&, uint64_t);

struct Registered {
  std::string_view name;
  Factory make;
};

// Adding a method is adding its file and one entry here.
constexpr Registered kMethods[] = {
    {"bayes", make_bayes_search},    // Gaussian process + expected improvement, as W&B's
    {"grid", make_grid_search},      // every point, lazily
    {"random", make_random_search},  // independent draws
    {"sobol", make_sobol_search},    // scrambled quasi-random points
    {"tpe", make_tpe_search},        // tree-structured Parzen estimator, as Optuna's
};

}  // namespace

std::string_view search_method_name(const SweepSpec& spec) {
  if (spec.labsweep.search) return *spec.labsweep.search;
  return method_name(spec.method);
}

Result<std::unique_ptr<SearchMethod>> make_search_method(const SweepSpec& spec, uint64_t seed) {
  std::string_view name = search_method_name(spec);
  auto it = std::find_if(std::begin(kMethods), std::end(kMethods),
                         [name](const Registered& r) { return r.name == name; });
  if (it == std::end(kMethods)) {
    return not_found("search method '" + std::string(name) + "' is not available in this version");
  }
  return it->make(spec, seed);
}

std::optional<uint64_t> planned_trial_count(const SweepSpec& spec, const SearchMethod& method) {
  std::optional<uint64_t> size = method.size();
  if (!spec.run_cap) return size;
  auto cap = static_cast<uint64_t>(*spec.run_cap);
  return size ? std::min(*size, cap) : cap;
}

}  // namespace labsweep::sweeps
