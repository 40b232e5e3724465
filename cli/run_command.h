#pragma once

// `labsweep run FILE [options]`: the whole system in one process on this machine: the
// orchestrator with its SQLite file and HTTP API on 127.0.0.1, one local agent (the local GPUs,
// or CPU slots where there are none), a live progress line, and a table of the best trials at
// the end. Ctrl-C stops the sweep (its trials end as stopped); a second Ctrl-C quits at once.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_run_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
