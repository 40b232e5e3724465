#pragma once

// What a key directory holds (docs/security.md). On the head node: the server's key pair, its
// public key for the agents, and the authorised agents. On a GPU machine: the agent's key pair,
// its public key for the admin, and optionally the server's public key. The head node keeps the
// HTTP API's tokens there too.

#include <filesystem>

namespace labsweep::protocol {

struct KeyDir {
  std::filesystem::path dir;

  std::filesystem::path server_key() const { return dir / "server.key"; }
  std::filesystem::path server_public_key() const { return dir / "server.pub"; }
  std::filesystem::path authorized_agents() const { return dir / "authorized_agents"; }
  std::filesystem::path api_tokens() const { return dir / "api_tokens"; }
  std::filesystem::path agent_key() const { return dir / "agent.key"; }
  std::filesystem::path agent_public_key() const { return dir / "agent.pub"; }
};

}  // namespace labsweep::protocol
