#pragma once

// `labsweep export SWEEP --format csv|json [--series] [-o FILE]`: a sweep's trials for analysis
// elsewhere. CSV has one row per trial: its state, one column per parameter and the last, min
// and max of every metric. JSON has the sweep and its trials as the API gives them and, with
// --series, every metric's points.

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace labsweep::cli {

// The CSV text (RFC 4180) for `trials`, API Trial objects.
std::string trials_csv(const nlohmann::json& trials);

void add_export_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
