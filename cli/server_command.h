#pragma once

// `labsweep server [--db FILE] [--agents ENDPOINT] [--http-host HOST] [--http-port PORT]`: the
// orchestrator in the foreground until SIGINT or SIGTERM: agents connect to ENDPOINT, the CLI
// and the dashboard use the HTTP API.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_server_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
