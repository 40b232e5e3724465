#include "cli/client_token.h"

#include <cstdlib>

#include "cli/key_files.h"
#include "orchestrator/api_token.h"
#include "protocol/private_file.h"

namespace labsweep::cli {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::filesystem::path client_token_path() { return user_config_dir() / "token"; }

Result<std::string> token_from_text(std::string_view text, const std::string& source) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  // The text is not quoted: it may be a token with one character wrong.
  if (!orchestrator::well_formed_api_token(text)) {
    return invalid_argument(source +
                            " does not hold a token (one word of letters, digits and -._~+/=, "
                            "as `labsweep tokens create` prints it)");
  }
  return std::string(text);
}

Result<std::optional<std::string>> client_token() {
  if (const char* env = std::getenv("LABSWEEP_TOKEN"); env != nullptr && *env != '\0') {
    Result<std::string> token = token_from_text(env, "$LABSWEEP_TOKEN");
    if (!token) return token.status();
    return std::optional<std::string>(std::move(*token));
  }
  const std::filesystem::path file = client_token_path();
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(file, error)))
    return std::optional<std::string>();
  Result<std::string> text = protocol::read_private_file(file);
  if (!text) return text.status();
  Result<std::string> token = token_from_text(*text, file.string());
  if (!token) return token.status();
  return std::optional<std::string>(std::move(*token));
}

Status save_client_token(const std::string& token) {
  const std::filesystem::path file = client_token_path();
  if (Status made = protocol::make_private_dir(file.parent_path()); !made.is_ok()) return made;
  return protocol::write_private_file(file, token + "\n", protocol::Overwrite::kYes);
}

}  // namespace labsweep::cli
