#pragma once

// The one-line summary `labsweep run` keeps current while a sweep runs: elapsed time, trials
// ended (by outcome), running and pending, and the best value so far.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace labsweep::cli {

// `sweep` is an API Sweep object; `elapsed_ms` since the run began.
std::string progress_line(const nlohmann::json& sweep, int64_t elapsed_ms);

}  // namespace labsweep::cli
