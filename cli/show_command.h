#pragma once

// `labsweep show SWEEP [--best N] [--json] [--url URL]`: one sweep, its progress and its
// trials with their parameters and the sweep metric.

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace labsweep::cli {

// The trials table of a sweep: every trial in `trials` (API Trial objects), with the last and
// best value of `sweep`'s metric; `now_ms` for the durations of running trials.
std::string trials_table(const nlohmann::json& sweep, const nlohmann::json& trials, int64_t now_ms);

// `trials` ordered best first by the sweep's metric (trials without a value last), at most
// `limit` of them.
nlohmann::json best_trials(const nlohmann::json& sweep, const nlohmann::json& trials, size_t limit);

void add_show_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
