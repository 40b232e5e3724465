#include "cli/agent_command.h"

#include <atomic>
#include <iostream>
#include <sstream>

#include "agent/gpu_inventory_file.h"
#include "agent/gpu_inventory_nvml.h"
#include "agent/posix_process_launcher.h"
#include "cli/api_command.h"
#include "cli/shutdown_signal.h"

namespace labsweep::cli {
namespace {

// What the agent sees on a machine where NVML cannot be used: no GPUs, and why.
class NoGpuInventory final : public agent::GpuInventory {
 public:
  explicit NoGpuInventory(std::string why) : why_(std::move(why)) {}
  Result<std::vector<agent::GpuSample>> sample() override {
    return std::vector<agent::GpuSample>{};
  }
  std::string description() const override { return "no GPUs (" + why_ + ")"; }

 private:
  std::string why_;
};

Result<std::vector<int>> parse_gpu_list(const std::string& text) {
  std::vector<int> gpus;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t used = 0;
    int index = -1;
    try {
      index = std::stoi(item, &used);
    } catch (const std::exception&) {
    }
    if (index < 0 || used != item.size()) {
      return invalid_argument("--gpus: '" + item + "' is not a GPU index (expected e.g. 0,2)");
    }
    gpus.push_back(index);
  }
  return gpus;
}

std::unique_ptr<agent::GpuInventory> open_inventory(const MachineFlags& flags, std::ostream& log) {
  if (!flags.fake_gpus.empty()) return std::make_unique<agent::FileGpuInventory>(flags.fake_gpus);
  auto nvml = agent::NvmlGpuInventory::open();
  if (nvml) return std::move(*nvml);
  log << "labsweep agent: running without GPUs: " << nvml.status().message() << "\n";
  return std::make_unique<NoGpuInventory>(nvml.status().message());
}

Result<agent::AgentOptions> agent_options(const MachineFlags& flags, const std::string& endpoint) {
  agent::AgentOptions options;
  options.server_endpoint = endpoint;
  options.name = flags.name;
  options.work_dir = flags.work_dir.empty() ? "labsweep-trials" : flags.work_dir;
  options.work_dir = std::filesystem::absolute(options.work_dir);
  if (!flags.gpus.empty()) {
    auto gpus = parse_gpu_list(flags.gpus);
    if (!gpus) return gpus.status();
    options.gpus = *gpus;
  }
  options.slots_per_gpu = flags.slots_per_gpu;
  if (flags.cpu_slots >= 0) options.cpu_slots = flags.cpu_slots;
  if (flags.no_cgroups) options.cgroups = agent::AgentOptions::Cgroups::kOff;
  return options;
}

struct AgentCommandOptions {
  std::string server;
  MachineFlags machine;
};

int run_agent(const AgentCommandOptions& o) {
  // Signals are blocked before the agent starts any thread, so that they all reach the watcher.
  std::atomic<agent::Agent*> target{nullptr};
  std::atomic<bool> stopping{false};
  ShutdownSignal signals([&](int) {
    stopping = true;
    if (agent::Agent* a = target.load()) a->request_stop();
  });
  SystemClock clock;
  Result<LocalAgent> local = make_local_agent(o.machine, o.server, clock, std::cerr);
  if (!local) return print_failure(local.status(), std::cerr);
  target = local->agent.get();
  if (stopping) local->agent->request_stop();
  std::cerr << "labsweep agent: serving " << o.server << " with " << local->inventory->description()
            << "\n";
  local->agent->run();
  return kExitOk;
}

}  // namespace

void add_machine_options(CLI::App& command, MachineFlags& flags) {
  command.add_option("--work-dir", flags.work_dir,
                     "Where trial directories go (default: ./labsweep-trials)");
  command.add_option("--gpus", flags.gpus, "Only these GPUs, e.g. 0,2 (default: every GPU)");
  command.add_option("--slots-per-gpu", flags.slots_per_gpu, "Trials that may share one GPU")
      ->check(CLI::Range(1, 64));
  command
      .add_option("--cpu-slots", flags.cpu_slots,
                  "Slots for trials that need no GPU (default: none on a machine with GPUs, "
                  "else one per core)")
      ->check(CLI::Range(0, 4096));
  command.add_option("--fake-gpus", flags.fake_gpus,
                     "Simulate GPUs described by a JSON file (docs/agent.md)");
  command.add_flag("--no-cgroups", flags.no_cgroups,
                   "Do not put trials in cgroups even where the agent may create them");
}

Result<LocalAgent> make_local_agent(const MachineFlags& flags, const std::string& endpoint,
                                    const Clock& clock, std::ostream& log) {
  Result<agent::AgentOptions> options = agent_options(flags, endpoint);
  if (!options) return options.status();
  LocalAgent local;
  local.inventory = open_inventory(flags, log);
  local.launcher = std::make_unique<agent::PosixProcessLauncher>();
  auto created = agent::Agent::create(*options, clock, *local.launcher, *local.inventory);
  if (!created) return created.status();
  local.agent = std::move(*created);
  return local;
}

void add_agent_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<AgentCommandOptions>();
  CLI::App* cmd = app.add_subcommand("agent", "Run this machine's agent for a labsweep server");
  cmd->add_option("--server", options->server, "The server's agent endpoint, tcp://HOST:5555")
      ->required();
  cmd->add_option("--name", options->machine.name, "This agent's name (default: the host name)");
  add_machine_options(*cmd, options->machine);
  cmd->callback([options, &action] { action = [options] { return run_agent(*options); }; });
}

}  // namespace labsweep::cli
