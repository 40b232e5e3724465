#include "cli/agent_install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>

#include "cli/agent_command.h"
#include "cli/api_command.h"
#include "cli/key_files.h"
#include "cli/trial_user.h"
#include "cli/yaml_config.h"
#include "protocol/curve_keys.h"
#include "protocol/endpoint_scope.h"
#include "protocol/key_dir.h"
#include "protocol/private_file.h"

namespace labsweep::cli {
namespace {

namespace fs = std::filesystem;

struct InstallOptions {
  std::filesystem::path system_root;  // the root directory of the machine `services` manages
  std::string root = "/";
  std::string service_user = "labsweep";
  std::string server_key;
  std::string server_key_file;
  bool purge_keys = false;
  std::vector<YamlSetting> settings;  // the agent options given; empty: keep agent.yaml
};

// Who the service's files belong to: the service user, when we are root and may give them.
struct Owner {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// `path` (absolute, as the service sees it) inside the root directory.
fs::path under(const std::string& root, const fs::path& path) {
  return fs::path(root) / path.relative_path();
}

bool is_system_root(const InstallOptions& o) {
  std::error_code ignored;
  return fs::equivalent(o.root, o.system_root, ignored);
}

Status errno_status(const std::string& what) {
  return io_error(what + ": " + std::strerror(errno));
}

Result<std::optional<Owner>> service_owner(const std::string& user) {
  if (::geteuid() != 0) return std::optional<Owner>{};  // the files stay the caller's
  Result<agent::TrialUser> found = look_up_user(user);
  if (!found) {
    return Status(StatusCode::kFailedPrecondition,
                  "the service's user '" + user +
                      "' does not exist (the labsweep package makes it; or: adduser --system "
                      "--group --home /var/lib/labsweep " +
                      user + ")");
  }
  return std::optional<Owner>(Owner{user, found->uid, found->gid});
}

// Creates `dir` (root and the service's group, 0750) unless it exists; an existing one is left
// as it is.
Status make_config_dir(const fs::path& dir, const std::optional<Owner>& owner) {
  std::error_code error;
  if (fs::is_directory(dir, error)) return Status::ok();
  fs::create_directories(dir.parent_path(), error);
  if (error) return io_error(dir.parent_path().string() + ": " + error.message());
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno_status(dir.string());
  if (owner && ::lchown(dir.c_str(), 0, owner->gid) != 0) return errno_status(dir.string());
  return Status::ok();
}

// Replaces `path` atomically with `text`, mode 0640 and the service's group.
Status write_config(const fs::path& path, const std::string& text,
                    const std::optional<Owner>& owner) {
  fs::path temporary =
      path.parent_path() / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()));
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return errno_status(temporary.string());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fchmod(fd, 0640) == 0 && (!owner || ::fchown(fd, 0, owner->gid) == 0) &&
            ::fsync(fd) == 0;
  int error = errno;
  ::close(fd);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    if (ok) error = errno;
    ::unlink(temporary.c_str());
    errno = error;
    return errno_status(path.string());
  }
  return Status::ok();
}

std::string config_text(std::vector<YamlSetting> settings) {
  auto given = [&](const std::string& name) {
    for (const YamlSetting& s : settings)
      if (s.name == name) return true;
    return false;
  };
  settings.push_back({"key-dir", {kServiceKeyDir}});
  if (!given("work-dir")) settings.push_back({"work-dir", {kServiceWorkDir}});
  return yaml_config_text(
      settings,
      "# labsweep agent's settings, written by `labsweep agent install`. Every option of\n"
      "# `labsweep agent --help` may be set here: its long name without the dashes, then its\n"
      "# value. The labsweep-agent service reads this file (docs/deployment.md).\n");
}

// The agent's options as the configuration file sets them, checked as `labsweep agent` would.
Result<AgentCommandOptions> read_config(const fs::path& file) {
  AgentCommandOptions options;
  CLI::App scratch("", "agent");
  add_agent_options(scratch, options);
  try {
    apply_yaml_config(scratch, file.string());
  } catch (const CLI::Error& e) {
    return invalid_argument(e.what());
  }
  if (options.server.empty()) {
    return invalid_argument(file.string() +
                            " names no server: pass --server tcp://HEAD:5555, or set server there");
  }
  return options;
}

Result<fs::path> key_dir(const AgentCommandOptions& config, const fs::path& config_file) {
  fs::path dir = config.key_dir.empty() ? fs::path(kServiceKeyDir) : fs::path(config.key_dir);
  if (!dir.is_absolute()) {
    return invalid_argument(config_file.string() + ": key-dir must be an absolute path, not " +
                            dir.string());
  }
  return dir;
}

Status give(const fs::path& path, const std::optional<Owner>& owner) {
  if (owner && ::lchown(path.c_str(), owner->uid, owner->gid) != 0)
    return errno_status(path.string());
  return Status::ok();
}

// server.pub from --server-key or --server-key-file; without either, what is there stays. Fails
// when the agent would then have no server key for a server off loopback.
Status install_server_key(const InstallOptions& o, const AgentCommandOptions& config,
                          const protocol::KeyDir& keys, const std::optional<Owner>& owner) {
  std::string key = o.server_key;
  if (!key.empty()) {
    if (Status s = protocol::check_z85_key(key, "--server-key"); !s.is_ok()) return s;
  } else if (!o.server_key_file.empty()) {
    Result<std::string> read = protocol::read_public_key(o.server_key_file);
    if (!read) return read.status();
    key = *read;
  }
  if (!key.empty()) {
    if (Status s = protocol::write_public_key(keys.server_public_key(), key); !s.is_ok()) return s;
    return give(keys.server_public_key(), owner);
  }
  std::error_code ignored;
  if (fs::exists(keys.server_public_key(), ignored) || !config.server_key.empty() ||
      !config.server_key_file.empty() || !protocol::is_network_endpoint(config.server)) {
    return Status::ok();
  }
  return Status(StatusCode::kFailedPrecondition,
                config.server +
                    " is not loopback, so the agent needs the server's public key: pass "
                    "--server-key KEY or --server-key-file FILE (the head node's " +
                    std::string(kServiceKeyDir) + "/server.pub)");
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "NAME";
  return name;
}

std::string foreground_command(const std::optional<Owner>& owner) {
  std::string command = "labsweep agent --config " + std::string(kAgentConfigPath);
  return owner ? "runuser -u " + owner->name + " -- " + command : command;
}

// Enables and (re)starts the service where that is this machine's; else says how to run it.
Status start_service(const InstallOptions& o, const std::optional<Owner>& owner,
                     ServiceManager& services, std::ostream& out) {
  if (!is_system_root(o)) {
    out << "The files are under " << o.root
        << ", not this machine's /: no service was touched. Where they are used, start the "
           "agent with\n  systemctl enable --now labsweep-agent\nor, without systemd, in the "
           "foreground with\n  "
        << foreground_command(owner) << "\n";
    return Status::ok();
  }
  if (!services.running()) {
    out << "systemd is not running on this machine, so no service was started. Run the agent in "
           "the foreground with\n  "
        << foreground_command(owner) << "\n";
    return Status::ok();
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"daemon-reload"}, {"enable", kAgentUnit}, {"restart", kAgentUnit}}) {
    if (Status s = services.systemctl(args); !s.is_ok()) return s;
  }
  out << "Enabled and started " << kAgentUnit << " (systemctl status labsweep-agent).\n";
  return Status::ok();
}

Status install(const InstallOptions& o, ServiceManager& services, std::ostream& out) {
  Result<std::optional<Owner>> owner = service_owner(o.service_user);
  if (!owner) return owner.status();
  const fs::path config_file = under(o.root, kAgentConfigPath);
  if (Status s = make_config_dir(config_file.parent_path(), *owner); !s.is_ok()) return s;
  std::error_code ignored;
  if (!o.settings.empty()) {
    if (Status s = write_config(config_file, config_text(o.settings), *owner); !s.is_ok()) return s;
    out << "Wrote " << config_file.string() << ".\n";
  } else if (!fs::exists(config_file, ignored)) {
    return invalid_argument("no " + config_file.string() +
                            " yet: pass --server tcp://HEAD:5555 and the agent's other options");
  }
  Result<AgentCommandOptions> config = read_config(config_file);
  if (!config) return config.status();
  Result<fs::path> dir = key_dir(*config, config_file);
  if (!dir) return dir.status();
  protocol::KeyDir keys{under(o.root, *dir)};
  if (Status s = protocol::make_private_dir(keys.dir); !s.is_ok()) return s;
  if (Status s = give(keys.dir, *owner); !s.is_ok()) return s;
  if (Status s = install_server_key(o, *config, keys, *owner); !s.is_ok()) return s;
  const bool had_pair = fs::exists(keys.agent_key(), ignored);
  std::ostringstream ignored_note;  // what load_or_create_agent_keys says is said below
  Result<protocol::CurveKeyPair> pair = load_or_create_agent_keys(keys.dir, ignored_note);
  if (!pair) return pair.status();
  for (const fs::path& path : {keys.agent_key(), keys.agent_public_key()}) {
    if (Status s = give(path, *owner); !s.is_ok()) return s;
  }
  out << (had_pair ? "Kept this agent's key pair, " : "Made this agent's key pair, ")
      << keys.agent_key().string() << ".\n";
  if (Status s = start_service(o, *owner, services, out); !s.is_ok()) return s;
  const std::string name = config->machine.name.empty() ? host_name() : config->machine.name;
  out << "\nThis agent's public key is\n  " << pair->public_key
      << "\nAuthorise it on the head node with\n  "
      << protocol::authorize_command(pair->public_key, name) << "\n";
  return Status::ok();
}

Status remove_file(const fs::path& path, std::ostream& out) {
  std::error_code error;
  if (fs::remove(path, error)) {
    out << "Removed " << path.string() << ".\n";
  } else if (error) {
    return io_error(path.string() + ": " + error.message());
  }
  return Status::ok();
}

Status uninstall(const InstallOptions& o, ServiceManager& services, std::ostream& out) {
  const fs::path config_file = under(o.root, kAgentConfigPath);
  std::error_code ignored;
  fs::path dir = kServiceKeyDir;
  if (fs::exists(config_file, ignored)) {
    Result<AgentCommandOptions> config = read_config(config_file);
    if (config && !config->key_dir.empty()) dir = config->key_dir;
  }
  if (is_system_root(o) && services.running()) {
    if (Status s = services.systemctl({"disable", "--now", kAgentUnit}); !s.is_ok()) return s;
    out << "Stopped and disabled " << kAgentUnit << ".\n";
  } else if (is_system_root(o)) {
    out << "systemd is not running on this machine: stop an agent running in the foreground "
           "yourself.\n";
  }
  if (Status s = remove_file(config_file, out); !s.is_ok()) return s;
  protocol::KeyDir keys{under(o.root, dir)};
  if (!o.purge_keys) {
    out << "Kept the agent's keys in " << keys.dir.string() << " (--purge-keys removes them).\n";
    return Status::ok();
  }
  std::vector<fs::path> files{keys.agent_key(), keys.agent_public_key()};
  // On a head node that is also an agent, server.pub is the server's own: it stays.
  if (!fs::exists(keys.server_key(), ignored)) files.push_back(keys.server_public_key());
  for (const fs::path& file : files) {
    if (Status s = remove_file(file, out); !s.is_ok()) return s;
  }
  return Status::ok();
}

void add_root_option(CLI::App& command, InstallOptions& o) {
  command
      .add_option("--root", o.root,
                  "Install into this root directory instead of / (no service is touched then)")
      ->configurable(false);
}

}  // namespace

void add_agent_service_commands(CLI::App& agent_command, std::function<int()>& action,
                                std::shared_ptr<ServiceManager> services, std::ostream& out,
                                std::ostream& err, const std::filesystem::path& system_root) {
  auto o = std::make_shared<InstallOptions>();
  o->system_root = system_root;
  auto given = std::make_shared<AgentCommandOptions>();  // parsed only to be written out
  CLI::App* install_cmd = agent_command.add_subcommand(
      "install", "Set this machine's agent up as the labsweep-agent service and start it");
  install_cmd->add_option("--server", given->server,
                          "The server's agent endpoint, tcp://HOST:5555");
  install_cmd->add_option("--name", given->machine.name,
                          "This agent's name (default: the host name)");
  add_machine_options(*install_cmd, given->machine);
  install_cmd->get_option("--work-dir")
      ->description("Where trial directories go (default: " + std::string(kServiceWorkDir) + ")");
  install_cmd->add_option("--server-key", o->server_key, "The server's public key (Z85)")
      ->configurable(false);
  install_cmd
      ->add_option("--server-key-file", o->server_key_file,
                   "A file holding the server's public key (the head node's server.pub)")
      ->configurable(false);
  add_root_option(*install_cmd, *o);
  install_cmd
      ->add_option("--service-user", o->service_user,
                   "The user the service runs as, who gets the keys (default: labsweep)")
      ->configurable(false);
  // `given` is captured to live as long as the options that write into it.
  install_cmd->callback([install_cmd, o, given, services, &out, &err, &action] {
    o->settings = given_settings(*install_cmd);
    action = [o, services, &out, &err] {
      Status s = install(*o, *services, out);
      return s.is_ok() ? kExitOk : print_failure(s, err);
    };
  });

  CLI::App* uninstall_cmd = agent_command.add_subcommand(
      "uninstall", "Stop and disable the labsweep-agent service and remove its configuration");
  add_root_option(*uninstall_cmd, *o);
  uninstall_cmd->add_flag("--purge-keys", o->purge_keys,
                          "Also remove the agent's key pair and the server's public key");
  uninstall_cmd->callback([o, services, &out, &err, &action] {
    action = [o, services, &out, &err] {
      Status s = uninstall(*o, *services, out);
      return s.is_ok() ? kExitOk : print_failure(s, err);
    };
  });
}

}  // namespace labsweep::cli
