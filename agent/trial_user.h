#pragma once

// The user an agent that runs as root starts its trials as (`labsweep agent --trial-user`,
// docs/agent.md, "Whose rights trials have"): labsweep-trial-shim takes these credentials for
// good before it executes the command, and the trial's directory, output files and socket are
// given to the user.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace labsweep::agent {

struct TrialUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, as initgroups() would set them
  std::filesystem::path home;
};

}  // namespace labsweep::agent
