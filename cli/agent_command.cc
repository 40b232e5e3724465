#include "cli/agent_command.h"

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <sstream>

#include "agent/gpu_inventory_file.h"
#include "agent/gpu_inventory_nvml.h"
#include "agent/posix_process_launcher.h"
#include "cli/agent_install.h"
#include "cli/api_command.h"
#include "cli/key_files.h"
#include "cli/keys_command.h"
#include "cli/service_manager.h"
#include "cli/shutdown_signal.h"
#include "cli/trial_user.h"
#include "cli/yaml_config.h"

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
  options.trial_user = flags.trial_user;
  return options;
}

int run_agent(AgentCommandOptions o) {
  Result<std::optional<agent::TrialUser>> user =
      trial_user_for(::geteuid(), o.trial_user, o.allow_root);
  if (!user) return print_failure(user.status(), std::cerr);
  o.machine.trial_user = std::move(user).value();
  // Signals are blocked before the agent starts any thread, so that they all reach the watcher.
  std::atomic<agent::Agent*> target{nullptr};
  std::atomic<bool> stopping{false};
  ShutdownSignal signals([&](int) {
    stopping = true;
    if (agent::Agent* a = target.load()) a->request_stop();
  });
  SystemClock clock;
  auto curve = agent_curve(o.key_dir.empty() ? default_key_dir() : std::filesystem::path(o.key_dir),
                           o.server_key, o.server_key_file, std::cerr);
  if (!curve) return print_failure(curve.status(), std::cerr);
  Result<LocalAgent> local = make_local_agent(o.machine, o.server, clock, std::cerr, *curve);
  if (!local) return print_failure(local.status(), std::cerr);
  target = local->agent.get();
  if (stopping) local->agent->request_stop();
  std::cerr << "labsweep agent: serving " << o.server << (*curve ? " over CURVE" : " in plaintext")
            << " with " << local->inventory->description()
            << (o.machine.trial_user ? "; trials run as " + o.machine.trial_user->name : "")
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
                                    const Clock& clock, std::ostream& log,
                                    std::optional<agent::CurveClient> curve) {
  Result<agent::AgentOptions> options = agent_options(flags, endpoint);
  if (!options) return options.status();
  options->curve = std::move(curve);
  LocalAgent local;
  local.inventory = open_inventory(flags, log);
  local.launcher = std::make_unique<agent::PosixProcessLauncher>();
  auto created = agent::Agent::create(*options, clock, *local.launcher, *local.inventory);
  if (!created) return created.status();
  local.agent = std::move(*created);
  return local;
}

void add_agent_options(CLI::App& command, AgentCommandOptions& options) {
  command.add_option("--server", options.server,
                     "The server's agent endpoint, tcp://HOST:5555 (required)");
  command.add_option("--name", options.machine.name, "This agent's name (default: the host name)");
  add_machine_options(command, options.machine);
  command.add_option("--key-dir", options.key_dir,
                     "Where the agent's key pair is (made on first start) and where server.pub is "
                     "looked for (default: $LABSWEEP_KEY_DIR, /etc/labsweep/keys as root, else "
                     "~/.config/labsweep/keys)");
  command.add_option("--server-key", options.server_key,
                     "The server's public key (Z85): connect with CURVE, as off loopback one must");
  command.add_option("--server-key-file", options.server_key_file,
                     "A file holding the server's public key (default: server.pub in the key "
                     "directory, if there)");
  command.add_option("--trial-user", options.trial_user,
                     "Run trials as this user (for an agent running as root, which otherwise "
                     "refuses to run trials)");
  command.add_flag("--allow-root", options.allow_root,
                   "Let an agent running as root run trials as root");
}

void add_agent_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<AgentCommandOptions>();
  CLI::App* cmd = app.add_subcommand("agent", "Run this machine's agent for a labsweep server");
  add_agent_options(*cmd, *options);
  add_yaml_config(*cmd, kAgentConfigPath);
  add_agent_keygen_command(*cmd, action);
  add_agent_service_commands(*cmd, action, make_systemd_service_manager(), std::cout, std::cerr);
  cmd->callback([cmd, options, &action] {
    if (!cmd->get_subcommands().empty()) return;  // keygen, install, uninstall
    if (options->server.empty()) throw CLI::RequiredError("--server");
    action = [options] { return run_agent(*options); };
  });
}

}  // namespace labsweep::cli
