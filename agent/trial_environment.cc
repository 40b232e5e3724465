#include "agent/trial_environment.h"

#include <unistd.h>

#include <algorithm>

extern char** environ;

namespace labsweep::agent {
namespace {

void set(Environment& env, const std::string& name, const std::string& value) {
  auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == name; });
  if (it != env.end()) {
    it->second = value;
  } else {
    env.emplace_back(name, value);
  }
}

std::string join_gpus(const std::vector<int>& gpus) {
  std::string out;
  for (int gpu : gpus) {
    if (!out.empty()) out += ',';
    out += std::to_string(gpu);
  }
  return out;
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    set(env, entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

Environment trial_environment(const Environment& base, const protocol::Assign& assign,
                              const TrialPaths& paths) {
  Environment env = base;
  for (const auto& [name, value] : assign.env) set(env, name, value);
  set(env, "LABSWEEP_TRIAL_ID", std::to_string(assign.trial_id));
  set(env, "LABSWEEP_SWEEP_ID", std::to_string(assign.sweep_id));
  set(env, "LABSWEEP_TRIAL_DIR", paths.dir.string());
  set(env, "LABSWEEP_PARAMS_FILE", paths.params_file.string());
  set(env, "LABSWEEP_SOCKET", paths.socket.string());
  set(env, "CUDA_VISIBLE_DEVICES", join_gpus(assign.gpus));
  set(env, "CUDA_DEVICE_ORDER", "PCI_BUS_ID");
  return env;
}

std::string trial_marker(const std::filesystem::path& trial_dir) {
  return "LABSWEEP_TRIAL_DIR=" + trial_dir.string();
}

}  // namespace labsweep::agent
