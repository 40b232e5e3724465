#pragma once

// `labsweep agent --server tcp://HEAD:5555 [options]`: runs this machine's agent in the
// foreground until SIGINT or SIGTERM. `labsweep run` starts the same agent in its own process,
// with the same machine options.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "agent/agent.h"
#include "agent/gpu_inventory.h"
#include "agent/process_launcher.h"
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
};

void add_machine_options(CLI::App& command, MachineFlags& flags);

// An agent and what it runs on, created together and destroyed agent first.
struct LocalAgent {
  std::unique_ptr<agent::GpuInventory> inventory;
  std::unique_ptr<agent::ProcessLauncher> launcher;
  std::unique_ptr<agent::Agent> agent;
};

// Creates the agent for `flags`, connected to `endpoint`. Where NVML cannot be used it says so
// on `log` and runs without GPUs.
Result<LocalAgent> make_local_agent(const MachineFlags& flags, const std::string& endpoint,
                                    const Clock& clock, std::ostream& log);

void add_agent_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
