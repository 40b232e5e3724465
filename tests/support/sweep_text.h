#pragma once

// Helpers for tests that read sweep files from inline YAML.

#include <string>
#include <string_view>
#include <vector>

#include "sweeps/diagnostic.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::testing {

// Each diagnostic of a severity as "LINE:COL: MESSAGE" (or "MESSAGE" without a place), in order.
inline std::vector<std::string> rendered(const sweeps::Diagnostics& d, sweeps::Severity severity) {
  std::vector<std::string> out;
  for (const auto& item : d.all()) {
    if (item.severity != severity) continue;
    out.push_back(item.where.known() ? std::to_string(item.where.line) + ":" +
                                           std::to_string(item.where.column) + ": " + item.message
                                     : item.message);
  }
  return out;
}

inline std::vector<std::string> errors_of(std::string_view yaml) {
  return rendered(sweeps::read_sweep(yaml).diagnostics, sweeps::Severity::kError);
}

inline std::vector<std::string> warnings_of(std::string_view yaml) {
  return rendered(sweeps::read_sweep(yaml).diagnostics, sweeps::Severity::kWarning);
}

// The spec of a file that must be valid; a test fails with the file's errors otherwise.
sweeps::SweepSpec valid_spec(std::string_view yaml);

}  // namespace labsweep::testing
