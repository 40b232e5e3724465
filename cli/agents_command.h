#pragma once

// `labsweep agents [--json] [--url URL]`: every machine's agent, its GPUs and its trials.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_agents_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
