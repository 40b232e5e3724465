#include "cli/keys_command.h"

#include <iostream>
#include <memory>

#include "cli/api_command.h"
#include "cli/key_files.h"
#include "cli/text_table.h"
#include "protocol/authorized_keys.h"
#include "protocol/curve_keys.h"
#include "protocol/key_dir.h"

namespace labsweep::cli {
namespace {

struct KeysOptions {
  std::string key_dir;
  std::string key;
  std::string name;
  bool force = false;

  protocol::KeyDir dir() const {
    return {key_dir.empty() ? default_key_dir() : std::filesystem::path(key_dir)};
  }
};

int fail(const Status& status) {
  (void)print_failure(status, std::cerr);
  return status.code() == StatusCode::kInvalidArgument ? kExitInvalid : kExitFailed;
}

int init_keys(const KeysOptions& o) {
  protocol::KeyDir keys = o.dir();
  if (Status made = protocol::make_private_dir(keys.dir); !made.is_ok()) return fail(made);
  Result<protocol::CurveKeyPair> pair = protocol::generate_key_pair();
  if (!pair) return fail(pair.status());
  auto overwrite = o.force ? protocol::Overwrite::kYes : protocol::Overwrite::kNo;
  Status written = protocol::write_key_pair(keys.server_key(), *pair, overwrite);
  if (written.code() == StatusCode::kFailedPrecondition && !o.force) {
    return fail({StatusCode::kFailedPrecondition,
                 keys.server_key().string() +
                     " already exists; `keys init --force` makes a new pair, and every agent "
                     "then needs the new server.pub"});
  }
  if (!written.is_ok()) return fail(written);
  if (Status pub = protocol::write_public_key(keys.server_public_key(), pair->public_key);
      !pub.is_ok())
    return fail(pub);
  Result<protocol::AuthorizedKeys> authorized =
      protocol::AuthorizedKeys::read(keys.authorized_agents());
  if (!authorized) return fail(authorized.status());
  if (Status listed = authorized->write(keys.authorized_agents()); !listed.is_ok())
    return fail(listed);
  std::cout << "server key pair: " << keys.server_key().string() << "\n"
            << "server public key (give it to the agents, e.g. as "
            << keys.server_public_key().string() << "):\n  " << pair->public_key << "\n"
            << "authorised agents: " << keys.authorized_agents().string() << " ("
            << authorized->entries().size() << ")\n";
  return kExitOk;
}

int authorize_key(const KeysOptions& o) {
  protocol::KeyDir keys = o.dir();
  Result<protocol::AuthorizedKeys> list = protocol::AuthorizedKeys::read(keys.authorized_agents());
  if (!list) return fail(list.status());
  std::string name = o.name;
  for (size_t n = list->entries().size() + 1; name.empty(); ++n) {
    std::string candidate = "agent-" + std::to_string(n);
    if (list->find(candidate) == nullptr) name = candidate;
  }
  if (Status added = list->add({.key = o.key, .name = name}); !added.is_ok()) return fail(added);
  if (Status written = list->write(keys.authorized_agents()); !written.is_ok())
    return fail(written);
  std::cout << "authorised " << name << " (" << o.key << ")\n";
  return kExitOk;
}

int list_keys(const KeysOptions& o) {
  protocol::KeyDir keys = o.dir();
  Result<protocol::AuthorizedKeys> list = protocol::AuthorizedKeys::read(keys.authorized_agents());
  if (!list) return fail(list.status());
  TextTable table({"NAME", "KEY"});
  for (const protocol::AuthorizedKey& entry : list->entries())
    table.add_row({entry.name, entry.key});
  std::cout << table.render("");
  return kExitOk;
}

int revoke_key(const KeysOptions& o) {
  protocol::KeyDir keys = o.dir();
  Result<protocol::AuthorizedKeys> list = protocol::AuthorizedKeys::read(keys.authorized_agents());
  if (!list) return fail(list.status());
  Result<protocol::AuthorizedKey> removed = list->remove(o.key);
  if (!removed) return fail(removed.status());
  if (Status written = list->write(keys.authorized_agents()); !written.is_ok())
    return fail(written);
  std::cout << "revoked " << removed->name << " (" << removed->key
            << "); a running server cuts the agent off within a second\n";
  return kExitOk;
}

int agent_keygen(const KeysOptions& o) {
  protocol::KeyDir keys = o.dir();
  Result<protocol::CurveKeyPair> pair = load_or_create_agent_keys(keys.dir, std::cerr);
  if (!pair) return fail(pair.status());
  std::cout << pair->public_key << "\n";
  return kExitOk;
}

void add_key_dir_option(CLI::App& command, KeysOptions& o) {
  command.add_option("--key-dir", o.key_dir,
                     "The key directory (default: $LABSWEEP_KEY_DIR, /etc/labsweep/keys as root, "
                     "else ~/.config/labsweep/keys)");
}

// Adds `keys NAME` running `run` with the shared options.
CLI::App* add_keys_subcommand(CLI::App& keys, const std::string& name, const std::string& about,
                              std::function<int(const KeysOptions&)> run,
                              std::function<int()>& action) {
  auto options = std::make_shared<KeysOptions>();
  CLI::App* cmd = keys.add_subcommand(name, about);
  add_key_dir_option(*cmd, *options);
  if (name == "init")
    cmd->add_flag("--force", options->force, "Replace an existing key pair (rotation)");
  if (name == "authorize" || name == "revoke") {
    cmd->add_option(name == "revoke" ? "KEY_OR_NAME" : "KEY", options->key,
                    name == "revoke" ? "The agent's name or public key" : "The agent's public key")
        ->required();
  }
  if (name == "authorize")
    cmd->add_option("--name", options->name, "A name for the agent (default: agent-N)");
  cmd->callback([options, run, &action] { action = [options, run] { return run(*options); }; });
  return cmd;
}

}  // namespace

void add_keys_command(CLI::App& app, std::function<int()>& action) {
  CLI::App* keys = app.add_subcommand("keys", "The server's CURVE keys and the authorised agents");
  keys->require_subcommand(1);
  add_keys_subcommand(*keys, "init", "Make the server's key pair", init_keys, action);
  add_keys_subcommand(*keys, "authorize", "Allow an agent's public key to join", authorize_key,
                      action);
  add_keys_subcommand(*keys, "ls", "List the authorised agents", list_keys, action);
  add_keys_subcommand(*keys, "revoke", "Refuse an agent from now on, and cut it off", revoke_key,
                      action);
}

void add_agent_keygen_command(CLI::App& agent_command, std::function<int()>& action) {
  add_keys_subcommand(agent_command, "keygen",
                      "Make this agent's key pair if it has none; print its public key",
                      agent_keygen, action);
}

}  // namespace labsweep::cli
