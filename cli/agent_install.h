#pragma once

// `labsweep agent install` and `labsweep agent uninstall` (docs/deployment.md, "Each GPU
// machine"): set this machine's agent up as the labsweep-agent service, and undo it.
//
//   install [--server ENDPOINT] [agent options] [--server-key KEY | --server-key-file FILE]
//           [--root DIR] [--service-user USER]
//     writes DIR/etc/labsweep/agent.yaml from the agent options given (when none is given, the
//     file already there is used as it is), makes the agent's key pair in the key directory
//     (DIR/etc/labsweep/keys unless the file names another), writes the server's public key
//     there as server.pub, and, where systemd runs and DIR is /, enables and (re)starts
//     labsweep-agent; elsewhere it says how to run the agent in the foreground. Last it prints the
//     agent's public key and the command that authorises it on the head node. Running it again
//     with the same options changes nothing but restarting the service.
//   uninstall [--root DIR] [--purge-keys]
//     stops and disables the service (where systemd runs and DIR is /) and removes agent.yaml;
//     with --purge-keys also the agent's key pair and the server's public key.
//
// Run as root, the key directory and its files are given to the service's user (--service-user,
// default labsweep) and agent.yaml to its group, so that the service can read them. Nothing
// runs through a shell; systemctl is reached through the ServiceManager.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>

#include "cli/service_manager.h"

namespace labsweep::cli {

inline constexpr char kAgentConfigPath[] = "/etc/labsweep/agent.yaml";
inline constexpr char kServiceKeyDir[] = "/etc/labsweep/keys";
inline constexpr char kServiceWorkDir[] = "/var/lib/labsweep/agent";
inline constexpr char kAgentUnit[] = "labsweep-agent.service";

// Adds `install` and `uninstall` to `labsweep agent`; they report on `out` and `err`, which,
// like `agent_command`, must outlive the parse and the action. `services` manages the machine
// whose root directory is `system_root` (/ in main(); a temporary directory in tests): only an
// installation into it starts or stops the service.
void add_agent_service_commands(CLI::App& agent_command, std::function<int()>& action,
                                std::shared_ptr<ServiceManager> services, std::ostream& out,
                                std::ostream& err, const std::filesystem::path& system_root = "/");

}  // namespace labsweep::cli
