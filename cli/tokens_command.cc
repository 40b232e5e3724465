#include "cli/tokens_command.h"

#include <iostream>
#include <memory>

#include "cli/api_command.h"
#include "cli/key_files.h"
#include "orchestrator/api_token.h"
#include "orchestrator/api_tokens.h"
#include "protocol/key_dir.h"
#include "protocol/private_file.h"

namespace labsweep::cli {
namespace {

using orchestrator::ApiTokens;

struct TokensOptions {
  std::string key_dir;
  std::string name;

  std::filesystem::path file() const {
    return protocol::KeyDir{key_dir.empty() ? default_key_dir() : std::filesystem::path(key_dir)}
        .api_tokens();
  }
};

int fail(const Status& status) {
  (void)print_failure(status, std::cerr);
  return status.code() == StatusCode::kInvalidArgument ? kExitInvalid : kExitFailed;
}

// The token goes to stdout alone, so that `labsweep tokens create ci > FILE` keeps just it; it
// is not stored anywhere, so this is the only time anyone sees it.
int create_token(const TokensOptions& o) {
  const std::filesystem::path file = o.file();
  if (Status made = protocol::make_private_dir(file.parent_path()); !made.is_ok())
    return fail(made);
  Result<ApiTokens> tokens = ApiTokens::read(file);
  if (!tokens) return fail(tokens.status());
  Result<std::string> token = orchestrator::make_api_token();
  if (!token) return fail(token.status());
  Status added = tokens->add({.name = o.name, .digest = orchestrator::api_token_digest(*token)});
  if (!added.is_ok()) return fail(added);
  if (Status written = tokens->write(file); !written.is_ok()) return fail(written);
  std::cout << *token << "\n";
  std::cerr << "made the API token '" << o.name << "' (its SHA-256 is in " << file.string()
            << "); it is shown only this once: give it to its user for `labsweep login`\n";
  return kExitOk;
}

int list_tokens(const TokensOptions& o) {
  Result<ApiTokens> tokens = ApiTokens::read(o.file());
  if (!tokens) return fail(tokens.status());
  for (const orchestrator::ApiTokenEntry& entry : tokens->entries())
    std::cout << entry.name << "\n";
  return kExitOk;
}

int revoke_token(const TokensOptions& o) {
  const std::filesystem::path file = o.file();
  Result<ApiTokens> tokens = ApiTokens::read(file);
  if (!tokens) return fail(tokens.status());
  if (Status removed = tokens->remove(o.name); !removed.is_ok()) return fail(removed);
  if (Status written = tokens->write(file); !written.is_ok()) return fail(written);
  std::cout << "revoked the API token '" << o.name
            << "'; a running server refuses it from its next request\n";
  return kExitOk;
}

void add_tokens_subcommand(CLI::App& tokens, const std::string& name, const std::string& about,
                           int (*run)(const TokensOptions&), std::function<int()>& action) {
  auto options = std::make_shared<TokensOptions>();
  CLI::App* cmd = tokens.add_subcommand(name, about);
  cmd->add_option("--key-dir", options->key_dir,
                  "The server's key directory (default: $LABSWEEP_KEY_DIR, /etc/labsweep/keys as "
                  "root, else ~/.config/labsweep/keys)");
  if (name != "ls") {
    cmd->add_option("NAME", options->name,
                    "The token's name: who or what uses it (letters, digits, '.', '_', '-')")
        ->required();
  }
  cmd->callback([options, run, &action] { action = [options, run] { return run(*options); }; });
}

}  // namespace

void add_tokens_command(CLI::App& app, std::function<int()>& action) {
  CLI::App* tokens = app.add_subcommand("tokens", "The HTTP API's tokens, on the server's machine");
  tokens->require_subcommand(1);
  add_tokens_subcommand(*tokens, "create", "Make a token and print it, once", create_token, action);
  add_tokens_subcommand(*tokens, "ls", "List the tokens' names", list_tokens, action);
  add_tokens_subcommand(*tokens, "revoke", "Refuse a token from now on", revoke_token, action);
}

}  // namespace labsweep::cli
