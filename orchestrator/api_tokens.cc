#include "orchestrator/api_tokens.h"

#include <algorithm>
#include <sstream>

#include "protocol/authorized_keys.h"
#include "protocol/private_file.h"

namespace labsweep::orchestrator {
namespace {

// Names and hexadecimal digests never hold '#', so a comment starts at the first one.
std::vector<std::string> words_of(std::string_view line) {
  std::istringstream in{std::string(line.substr(0, line.find('#')))};
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(std::move(word));
  return words;
}

// The file's errors quote none of its words: a token pasted in by mistake, in either column,
// must not reach a log.
Result<ApiTokenEntry> parse_line(const std::vector<std::string>& words, const std::string& where) {
  if (words.size() != 2) {
    return invalid_argument(where + "expected 'NAME SHA256', found " +
                            std::to_string(words.size()) + " words");
  }
  if (!protocol::valid_key_name(words[0]))
    return invalid_argument(where + "the name must be 1 to 64 letters, digits, '.', '_' or '-'");
  std::optional<TokenDigest> digest = parse_digest_hex(words[1]);
  if (!digest) {
    return invalid_argument(where + "the SHA-256 must be 64 hexadecimal digits (found " +
                            std::to_string(words[1].size()) + " characters)");
  }
  return ApiTokenEntry{.name = words[0], .digest = *digest};
}

}  // namespace

Result<ApiTokens> ApiTokens::parse(std::string_view text, const std::string& path) {
  ApiTokens tokens;
  std::vector<int> lines;  // where each entry was
  std::istringstream in{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::vector<std::string> words = words_of(line);
    if (words.empty()) continue;
    std::string where = path + ":" + std::to_string(number) + ": ";
    Result<ApiTokenEntry> entry = parse_line(words, where);
    if (!entry) return entry.status();
    if (const ApiTokenEntry* same = tokens.find_name(entry->name)) {
      return invalid_argument(where + "the name is already on line " +
                              std::to_string(lines[same - tokens.entries_.data()]));
    }
    if (const ApiTokenEntry* same = tokens.find_digest(entry->digest)) {
      return invalid_argument(where + "the SHA-256 is already on line " +
                              std::to_string(lines[same - tokens.entries_.data()]));
    }
    tokens.entries_.push_back(std::move(*entry));
    lines.push_back(number);
  }
  return tokens;
}

Result<ApiTokens> ApiTokens::read(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::symlink_status(path, error).type() == std::filesystem::file_type::not_found)
    return ApiTokens{};
  Result<std::string> text = protocol::read_private_file(path);
  if (!text) return text.status();
  return parse(*text, path.string());
}

std::string ApiTokens::format() const {
  std::string text =
      "# Tokens of this labsweep server's HTTP API: one 'NAME SHA256' per line, the SHA-256 of\n"
      "# the token, never the token (docs/security.md). Edit with `labsweep tokens create` and\n"
      "# `labsweep tokens revoke`.\n";
  for (const ApiTokenEntry& entry : entries_)
    text += entry.name + " " + digest_hex(entry.digest) + "\n";
  return text;
}

Status ApiTokens::write(const std::filesystem::path& path) const {
  return protocol::write_private_file(path, format(), protocol::Overwrite::kYes);
}

Status ApiTokens::add(ApiTokenEntry entry) {
  if (!protocol::valid_key_name(entry.name)) {
    return invalid_argument("name '" + entry.name +
                            "' must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  if (find_name(entry.name) != nullptr) {
    return {StatusCode::kFailedPrecondition,
            "a token named '" + entry.name + "' exists: revoke it first, or choose another name"};
  }
  if (find_digest(entry.digest) != nullptr)
    return {StatusCode::kFailedPrecondition, "this token is already listed"};
  entries_.push_back(std::move(entry));
  return Status::ok();
}

Status ApiTokens::remove(std::string_view name) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const ApiTokenEntry& entry) { return entry.name == name; });
  if (it == entries_.end()) return not_found("no token is named '" + std::string(name) + "'");
  entries_.erase(it);
  return Status::ok();
}

const ApiTokenEntry* ApiTokens::find_name(std::string_view name) const {
  for (const ApiTokenEntry& entry : entries_)
    if (entry.name == name) return &entry;
  return nullptr;
}

const ApiTokenEntry* ApiTokens::find_digest(const TokenDigest& digest) const {
  for (const ApiTokenEntry& entry : entries_)
    if (entry.digest == digest) return &entry;
  return nullptr;
}

}  // namespace labsweep::orchestrator
