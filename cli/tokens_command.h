#pragma once

// `labsweep tokens create|ls|revoke` on the head node (docs/deployment.md): the HTTP API's named
// tokens, kept as SHA-256 digests in api_tokens in the server's key directory. A running server
// reads the file again when it changes, so `tokens revoke` takes effect from the next request.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_tokens_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
