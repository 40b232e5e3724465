#pragma once

// `labsweep ls [--json] [--url URL]`: every sweep on the server with its state and progress.

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace labsweep::cli {

// "7/10" done of planned (or of all so far when unbounded), from a Sweep object of the API.
std::string progress_text(const nlohmann::json& sweep);

// "val_loss 0.183 (trial 12)", or "-" before any value.
std::string best_text(const nlohmann::json& sweep);

void add_list_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
