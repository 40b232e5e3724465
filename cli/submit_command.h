#pragma once

// `labsweep submit FILE [--name NAME] [--url URL]`: checks a sweep file here, as `labsweep
// validate` does, then hands it to the server, which starts it.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_submit_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
