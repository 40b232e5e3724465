#pragma once

// `labsweep stop SWEEP`, `labsweep stop --trial TRIAL` and `labsweep resume SWEEP`: ask the
// server to stop a sweep (its running trials end as stopped, no new ones start), one trial, or
// to run a stopped sweep again.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_stop_command(CLI::App& app, std::function<int()>& action);
void add_resume_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
