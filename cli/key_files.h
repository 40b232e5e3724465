#pragma once

// Where `labsweep` keeps CURVE keys and how the server and agent commands find them
// (docs/security.md, docs/deployment.md).

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "agent/server_link.h"
#include "base/status.h"
#include "protocol/curve_keys.h"

namespace labsweep::cli {

// The user's labsweep configuration directory: $XDG_CONFIG_HOME/labsweep, or
// ~/.config/labsweep.
std::filesystem::path user_config_dir();

// $LABSWEEP_KEY_DIR; else /etc/labsweep/keys for root (the service); else
// user_config_dir()/keys.
std::filesystem::path default_key_dir();

// The agent's key pair in `key_dir`, created (and its public key printed on `out` for the
// admin) when there is none yet.
Result<protocol::CurveKeyPair> load_or_create_agent_keys(const std::filesystem::path& key_dir,
                                                         std::ostream& out);

// The agent's CURVE settings: the server's key from `server_key` (Z85), else from
// `server_key_file`, else from server.pub in `key_dir` if it exists; nullopt where none is
// given (plaintext, which the agent allows on loopback only).
Result<std::optional<agent::CurveClient>> agent_curve(const std::filesystem::path& key_dir,
                                                      const std::string& server_key,
                                                      const std::string& server_key_file,
                                                      std::ostream& out);

}  // namespace labsweep::cli
