#pragma once

// `labsweep agent --server tcp://HEAD:5555 [options]`: runs this machine's agent in the
// foreground until SIGINT or SIGTERM, its options also read from a YAML file (`--config`,
// default /etc/labsweep/agent.yaml where it exists; yaml_config.h). As root it runs trials only
// as --trial-user USER, or with --allow-root (trial_user.h). `labsweep agent install` and
// `uninstall` set it up as a service (agent_install.h). `labsweep run` starts the same agent in
// its own process, with the same machine options.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "agent/agent.h"
#include "agent/gpu_inventory.h"
#include "agent/process_launcher.h"
#include "agent/trial_user.h"
#include "base/clock.h"

namespace labsweep::cli {

// The options that describe the machine and where trials go.
struct MachineFlags {
  std::string name;  // `labsweep agent --name`; `labsweep run` uses the host name
  std::string work_dir;
  std::string gpus;  // "0,2"; empty: every GPU
  int slots_per_gpu = 1;
  int cpu_slots = -1;  // -1: the agent's default
  std::string fake_gpus;
  bool no_cgroups = false;
  // Not an option: `labsweep agent` resolves it from --trial-user; `labsweep run` runs trials
  // as its own user.
  std::optional<agent::TrialUser> trial_user;
};

void add_machine_options(CLI::App& command, MachineFlags& flags);

// `labsweep agent`'s options, also what its configuration file may set.
struct AgentCommandOptions {
  std::string server;
  MachineFlags machine;
  std::string key_dir;  // empty: default_key_dir()
  std::string server_key;
  std::string server_key_file;
  std::string trial_user;  // empty: the agent's own user
  bool allow_root = false;
};

// Adds `labsweep agent`'s options (not --config) to `command`, stored in `options`.
void add_agent_options(CLI::App& command, AgentCommandOptions& options);

// An agent and what it runs on, created together and destroyed agent first.
struct LocalAgent {
  std::unique_ptr<agent::GpuInventory> inventory;
  std::unique_ptr<agent::ProcessLauncher> launcher;
  std::unique_ptr<agent::Agent> agent;
};

// Creates the agent for `flags`, connected to `endpoint`. Where NVML cannot be used it says so
// on `log` and runs without GPUs. With `curve`, the link uses CURVE (docs/security.md).
Result<LocalAgent> make_local_agent(const MachineFlags& flags, const std::string& endpoint,
                                    const Clock& clock, std::ostream& log,
                                    std::optional<agent::CurveClient> curve = std::nullopt);

void add_agent_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
