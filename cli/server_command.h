#pragma once

// `labsweep server [--db FILE] [--agents ENDPOINT] [--http-host HOST] [--http-port PORT]`: the
// orchestrator in the foreground until SIGINT or SIGTERM: agents connect to ENDPOINT, the CLI
// and the dashboard use the HTTP API, which asks for a token off loopback (or with
// `--require-token`) and speaks HTTPS with `--tls-cert` and `--tls-key`. Its options are also
// read from a YAML file (`--config`, default /etc/labsweep/server.yaml where it exists;
// yaml_config.h).

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_server_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
