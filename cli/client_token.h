#pragma once

// Where the CLI finds the HTTP API token it sends (docs/security.md "HTTP API"): $LABSWEEP_TOKEN,
// else the file `token` in the user's labsweep configuration directory, which `labsweep login`
// writes with mode 0600.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace labsweep::cli {

// user_config_dir()/token: $XDG_CONFIG_HOME/labsweep/token, or ~/.config/labsweep/token.
std::filesystem::path client_token_path();

// The token to send; nullopt when there is none (a loopback server asks for none). Fails when
// the file may be read by group or others, or what it holds (or $LABSWEEP_TOKEN) is not a token.
Result<std::optional<std::string>> client_token();

// `text` without the whitespace around it (a file's final newline, a pasted space), when it is
// a well-formed token; `source` names where it came from in the error.
Result<std::string> token_from_text(std::string_view text, const std::string& source);

// Writes `token` to client_token_path() with mode 0600, making the directory (0700) if needed.
Status save_client_token(const std::string& token);

}  // namespace labsweep::cli
