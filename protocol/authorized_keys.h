#pragma once

// The server's list of agents allowed to join (docs/security.md): one `KEY NAME` per line, the
// key in Z85, the name a label for people and for `keys revoke`; `#` starts a comment. Kept with
// mode 0600 like the key pair: it is not secret, but whoever may write it decides who joins.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace labsweep::protocol {

struct AuthorizedKey {
  std::string key;   // Z85
  std::string name;  // letters, digits, '.', '_', '-'
};

class AuthorizedKeys {
 public:
  // Parses the file's text; errors name `path`:line. A repeated key or name is an error.
  static Result<AuthorizedKeys> parse(std::string_view text, const std::string& path);
  // Reads the file; a missing file is an empty list (nobody is authorised yet).
  static Result<AuthorizedKeys> read(const std::filesystem::path& path);
  Status write(const std::filesystem::path& path) const;

  std::string format() const;
  const std::vector<AuthorizedKey>& entries() const { return entries_; }
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  const AuthorizedKey* find(std::string_view key_or_name) const;

  // Adds a key; fails if the key or the name is already there or either is malformed.
  Status add(AuthorizedKey entry);
  // Removes the entry with this key or name; the entry removed, or not_found.
  Result<AuthorizedKey> remove(std::string_view key_or_name);

 private:
  std::vector<AuthorizedKey> entries_;
};

// Whether `name` may name an authorised key: 1 to 64 of [A-Za-z0-9._-].
bool valid_key_name(std::string_view name);

}  // namespace labsweep::protocol
