#pragma once

// The environment a trial starts with (docs/trial-interface.md, "Environment"): the agent's own,
// then the Assign's additions, then labsweep's variables, which nothing overrides because the
// agent finds a trial's processes by LABSWEEP_TRIAL_ID.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "protocol/messages.h"

namespace labsweep::agent {

using Environment = std::vector<std::pair<std::string, std::string>>;

struct TrialPaths {
  std::filesystem::path dir;          // LABSWEEP_TRIAL_DIR, the working directory
  std::filesystem::path params_file;  // LABSWEEP_PARAMS_FILE
  std::filesystem::path socket;       // LABSWEEP_SOCKET
};

// The agent's environment as name/value pairs (from `environ`).
Environment process_environment();

// `base` with `assign.env` and the trial's variables set; a later setting of a name replaces an
// earlier one in place, so every name occurs once.
Environment trial_environment(const Environment& base, const protocol::Assign& assign,
                              const TrialPaths& paths);

// "LABSWEEP_TRIAL_DIR=<dir>": the entry that marks every process of the trial. The directory,
// not the trial's id, because it is unique on the machine: two agents there (two users'
// `labsweep run`, say) both have a trial 1, and each attempt of a trial has a directory of its
// own, so ending one never kills another's processes.
std::string trial_marker(const std::filesystem::path& trial_dir);

}  // namespace labsweep::agent
