#pragma once

// `labsweep keys init|authorize|ls|revoke` on the head node (docs/deployment.md): the server's
// CURVE key pair and the list of agents allowed to join. A running server reloads the list
// when it changes, so `keys revoke` takes effect (and cuts the agent off) without a restart.

#include <CLI/CLI.hpp>
#include <functional>

namespace labsweep::cli {

void add_keys_command(CLI::App& app, std::function<int()>& action);

// `labsweep agent keygen`: the agent's key pair, made if missing; prints its public key.
void add_agent_keygen_command(CLI::App& agent_command, std::function<int()>& action);

}  // namespace labsweep::cli
