#include "protocol/authorized_keys.h"

#include <algorithm>
#include <sstream>

#include "protocol/curve_keys.h"
#include "protocol/private_file.h"

namespace labsweep::protocol {
namespace {

// The line's words without its comment. '#' is also a Z85 character (though never the first of
// a valid key, whose first group of five would overflow), so a comment is a line whose first
// word starts with '#' and is not key-sized, or what follows the name from a word starting
// with '#'.
std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;) {
    bool comment = word.front() == '#' &&
                   (words.size() >= 2 || (words.empty() && word.size() != kZ85KeyLength));
    if (comment) break;
    words.push_back(word);
  }
  return words;
}

Status check_entry(const AuthorizedKey& entry, const std::string& where) {
  if (Status key = check_z85_key(entry.key, where); !key.is_ok()) return key;
  if (!valid_key_name(entry.name)) {
    return invalid_argument(where + ": name '" + entry.name +
                            "' must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return Status::ok();
}

}  // namespace

bool valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Result<AuthorizedKeys> AuthorizedKeys::parse(std::string_view text, const std::string& path) {
  AuthorizedKeys keys;
  std::istringstream in{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::string where = path + ":" + std::to_string(number);
    std::vector<std::string> words = words_of(line);
    if (words.empty()) continue;
    if (words.size() != 2) {
      return invalid_argument(where + ": expected 'KEY NAME', found " +
                              std::to_string(words.size()) + " words");
    }
    AuthorizedKey entry{.key = words[0], .name = words[1]};
    if (Status checked = check_entry(entry, where); !checked.is_ok()) return checked;
    if (keys.find(entry.key) != nullptr) return invalid_argument(where + ": the key is repeated");
    if (keys.find(entry.name) != nullptr)
      return invalid_argument(where + ": the name '" + entry.name + "' is repeated");
    keys.entries_.push_back(std::move(entry));
  }
  return keys;
}

Result<AuthorizedKeys> AuthorizedKeys::read(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error) && !error) return AuthorizedKeys{};
  Result<std::string> text = read_private_file(path);
  if (!text) return text.status();
  return parse(*text, path.string());
}

std::string AuthorizedKeys::format() const {
  std::string text =
      "# Agents allowed to join this labsweep server: one 'KEY NAME' per line (docs/security.md).\n"
      "# Edit with `labsweep keys authorize` and `labsweep keys revoke`.\n";
  for (const AuthorizedKey& entry : entries_) text += entry.key + " " + entry.name + "\n";
  return text;
}

Status AuthorizedKeys::write(const std::filesystem::path& path) const {
  return write_private_file(path, format(), Overwrite::kYes);
}

const AuthorizedKey* AuthorizedKeys::find(std::string_view key_or_name) const {
  for (const AuthorizedKey& entry : entries_) {
    if (entry.key == key_or_name || entry.name == key_or_name) return &entry;
  }
  return nullptr;
}

Status AuthorizedKeys::add(AuthorizedKey entry) {
  if (Status checked = check_entry(entry, "key"); !checked.is_ok()) return checked;
  if (const AuthorizedKey* same = find(entry.key)) {
    return {StatusCode::kFailedPrecondition,
            "the key is already authorised, as '" + same->name + "'"};
  }
  if (find(entry.name) != nullptr) {
    return {StatusCode::kFailedPrecondition,
            "the name '" + entry.name + "' is taken: choose another with --name"};
  }
  entries_.push_back(std::move(entry));
  return Status::ok();
}

Result<AuthorizedKey> AuthorizedKeys::remove(std::string_view key_or_name) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const AuthorizedKey& entry) {
    return entry.key == key_or_name || entry.name == key_or_name;
  });
  if (it == entries_.end())
    return not_found("no authorised key has the name or key '" + std::string(key_or_name) + "'");
  AuthorizedKey removed = *it;
  entries_.erase(it);
  return removed;
}

}  // namespace labsweep::protocol
