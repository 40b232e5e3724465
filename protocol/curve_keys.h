#pragma once

// CurveZMQ keys as labsweep stores them (docs/security.md): 40-character Z85 text. A key pair
// file holds two lines, `public KEY` and `secret KEY`, with mode 0600; a public key file holds
// the public key alone and may be read by anyone.

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "protocol/private_file.h"

namespace labsweep::protocol {

inline constexpr size_t kZ85KeyLength = 40;  // 32 bytes as Z85

// Checks that `text` is a Z85-encoded 32-byte key; `where` (e.g. "keys/server.key:2") starts
// the error message.
Status check_z85_key(std::string_view text, const std::string& where);

// The command that authorises `public_key` on the head node, ready to paste: the key comes
// quoted (Z85 has characters a shell reads, but no quote) and after `--`, since it may begin
// with '-'.
std::string authorize_command(std::string_view public_key, std::string_view name = "NAME");

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

// A new key pair from ZeroMQ (libsodium underneath); fails if this libzmq lacks CURVE.
Result<CurveKeyPair> generate_key_pair();

// The key pair file's text, and back. Errors name `path`:line.
std::string format_key_pair(const CurveKeyPair& keys);
Result<CurveKeyPair> parse_key_pair(std::string_view text, const std::string& path);

// Reads a key pair file, refusing one that group or others may read.
Result<CurveKeyPair> read_key_pair(const std::filesystem::path& path);
Status write_key_pair(const std::filesystem::path& path, const CurveKeyPair& keys,
                      Overwrite overwrite);

// A public key file: the key on its first non-comment line. Public keys are not secret, so the
// file's mode is not checked.
Result<std::string> read_public_key(const std::filesystem::path& path);
Status write_public_key(const std::filesystem::path& path, const std::string& public_key);

}  // namespace labsweep::protocol
