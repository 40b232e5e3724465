#pragma once

// The server's list of HTTP API tokens (docs/security.md "HTTP API"): the file `api_tokens` in
// its key directory, one `NAME SHA256` per line, the SHA-256 of the token in hexadecimal (the
// token itself is never stored); `#` starts a comment. Mode 0600 like the key files: whoever may
// write it decides who uses the API.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "orchestrator/api_token.h"

namespace labsweep::orchestrator {

struct ApiTokenEntry {
  std::string name;  // 1 to 64 letters, digits, '.', '_', '-'
  TokenDigest digest;
};

class ApiTokens {
 public:
  // Parses the file's text; errors name `path`:line and quote nothing from the file, where a
  // token may have been pasted by mistake. A repeated name or digest is an error.
  static Result<ApiTokens> parse(std::string_view text, const std::string& path);
  // Reads the file; a missing file is an empty list (no token made yet).
  static Result<ApiTokens> read(const std::filesystem::path& path);
  // Replaces the file atomically, with mode 0600.
  Status write(const std::filesystem::path& path) const;

  std::string format() const;
  const std::vector<ApiTokenEntry>& entries() const { return entries_; }

  // Adds a token; fails if the name is malformed or taken, or the digest already listed.
  Status add(ApiTokenEntry entry);
  // Removes the token with this name; not_found when there is none.
  Status remove(std::string_view name);

 private:
  const ApiTokenEntry* find_name(std::string_view name) const;
  const ApiTokenEntry* find_digest(const TokenDigest& digest) const;

  std::vector<ApiTokenEntry> entries_;
};

}  // namespace labsweep::orchestrator
