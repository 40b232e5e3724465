#include "sweeps/early_terminate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sweeps/python_format.h"

namespace labsweep::sweeps {

std::vector<int64_t> hyperband_bands_from_max_iter(int64_t max_iter, int64_t s, double eta) {
  std::vector<int64_t> bands;
  double band = static_cast<double>(max_iter);
  for (int64_t i = 0; i < s; ++i) {
    band /= eta;
    if (band < 1) break;
    bands.push_back(static_cast<int64_t>(band));
  }
  std::sort(bands.begin(), bands.end());
  return bands;
}

std::vector<int64_t> hyperband_bands_from_min_iter(int64_t min_iter, double eta) {
  std::vector<int64_t> bands;
  for (int k = 0; k < 100; ++k) {
    double band = static_cast<double>(min_iter) * std::pow(eta, k);
    // Past int64 the band can never be reached; W&B's Python ints would grow without bound.
    if (band >= static_cast<double>(std::numeric_limits<int64_t>::max())) break;
    bands.push_back(static_cast<int64_t>(band));
  }
  return bands;
}

namespace {

bool read_int(const Value& section, std::string_view key, std::optional<int64_t>& out,
              int64_t minimum, Diagnostics& d) {
  const Value* v = section.find(key);
  if (!v) return true;
  if (!v->is_int() || v->as_int() < minimum) {
    d.error(v->location(), "early_terminate: " + std::string(key) +
                               " must be an integer of at "
                               "least " +
                               std::to_string(minimum) + ", not " + python_repr(*v));
    return false;
  }
  out = v->as_int();
  return true;
}

}  // namespace

std::optional<Hyperband> read_early_terminate(const Value& section, Diagnostics& d) {
  if (!section.is_map() || !section.find("type")) {
    d.error(section.location(), "early terminate must be a dict with a \"type\" section");
    return std::nullopt;
  }
  const Value& type = *section.find("type");
  if (!type.is_string() || type.as_string() != "hyperband") {
    d.error(type.location(),
            "Invalid early stopping type " + python_str(type) + ", must be one of [\"hyperband\"]");
    return std::nullopt;
  }
  Hyperband hb;
  bool ok = true;
  for (const auto& [key, v] : section.as_map()) {
    static constexpr std::string_view kKeys[] = {"type", "min_iter", "max_iter",
                                                 "s",    "eta",      "strict"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      // W&B deletes unknown keys silently; say so rather than drop them unseen.
      d.warning(v.key_location(), "early_terminate: unknown key '" + key + "' is ignored");
    }
  }
  std::optional<int64_t> min_iter, max_iter, s;
  ok = read_int(section, "min_iter", min_iter, 1, d) && ok;
  ok = read_int(section, "max_iter", max_iter, 1, d) && ok;
  ok = read_int(section, "s", s, 0, d) && ok;
  if (const Value* eta = section.find("eta")) {
    if (!eta->is_number() || !(eta->as_number() > 1) || !std::isfinite(eta->as_number())) {
      d.error(eta->location(),
              "early_terminate: eta must be a number greater than 1, not " + python_repr(*eta));
      ok = false;
    } else {
      hb.eta = eta->as_number();
    }
  }
  if (const Value* strict = section.find("strict")) {
    if (!strict->is_bool()) {
      d.error(strict->location(), "early_terminate: strict must be true or false");
      ok = false;
    } else {
      hb.strict = strict->as_bool();
    }
  }
  if (!ok) return std::nullopt;
  if (max_iter && !s) {
    d.error(section.find("max_iter")->location(),
            "early_terminate: 's' is a required property when 'max_iter' is given");
    return std::nullopt;
  }
  if (!max_iter && !min_iter) {
    d.error(section.location(),
            "invalid config for hyperband stopping: either \"max_iter\" or "
            "\"min_iter\" must be specified");
    return std::nullopt;
  }
  hb.bands = max_iter ? hyperband_bands_from_max_iter(*max_iter, *s, hb.eta)
                      : hyperband_bands_from_min_iter(*min_iter, hb.eta);
  if (hb.bands.empty()) {
    d.error(section.location(),
            "Bands must be an array of length at least 1. Try increasing s, "
            "decreasing eta, or increasing min_iter.");
    return std::nullopt;
  }
  return hb;
}

}  // namespace labsweep::sweeps
