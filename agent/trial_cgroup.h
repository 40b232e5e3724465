#pragma once

// A cgroup v2 per trial (docs/agent.md, "Ending a trial"): the trial's leader is moved in right
// after it starts, its descendants follow it there whatever they do (setsid, double fork), and
// `cgroup.kill` ends them all at once. Only where the agent may create cgroups under its own
// (root in a container, a systemd unit with Delegate=yes); elsewhere the agent falls back to
// the trial's marker, silently.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace labsweep::agent {

// The agent's own cgroup v2 directory when it can create child cgroups there (checked by making
// and removing one), else nullopt. Reads /proc/self/mountinfo and /proc/self/cgroup.
std::optional<std::filesystem::path> writable_cgroup_parent();

class TrialCgroup {
 public:
  // Creates `parent`/`name` (reusing an empty one left behind).
  static Result<std::unique_ptr<TrialCgroup>> create(const std::filesystem::path& parent,
                                                     const std::string& name);
  // Takes over a cgroup a previous run of the agent created, to end what is in it.
  static std::unique_ptr<TrialCgroup> adopt(std::filesystem::path dir);
  ~TrialCgroup();  // kills what is left and removes the directory
  TrialCgroup(const TrialCgroup&) = delete;
  TrialCgroup& operator=(const TrialCgroup&) = delete;

  Status add(pid_t pid);
  // Kills every process in the cgroup and waits (briefly, bounded) until it is empty.
  void kill();
  // Whether any process is in it (cgroup.events "populated 1").
  bool populated() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit TrialCgroup(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace labsweep::agent
