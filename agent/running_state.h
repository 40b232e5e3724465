#pragma once

// What the agent has started, kept in <state_dir>/running.json (docs/agent.md, "Agent
// restart"), so that an agent that restarts after a crash finds the trials its previous run
// left behind and ends them. A leader is known by its pid together with its start time
// (/proc/PID/stat, field 22), so that a pid the kernel has since given to another process is
// never signalled. Not thread-safe.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace labsweep::agent {

struct RunningTrial {
  int64_t trial_id = 0;
  pid_t pid = 0;
  pid_t pgid = 0;
  uint64_t start_time = 0;       // clock ticks after boot, from /proc/PID/stat
  std::filesystem::path dir;     // the trial directory (its stderr is there)
  std::filesystem::path cgroup;  // empty: none
  friend bool operator==(const RunningTrial&, const RunningTrial&) = default;
};

// The start time of `pid` (field 22 of /proc/PID/stat), or nullopt when it is gone or a zombie.
std::optional<uint64_t> process_start_time(pid_t pid);

class RunningState {
 public:
  explicit RunningState(std::filesystem::path file) : file_(std::move(file)) {}

  // The trials an earlier run recorded. A missing file is an empty list; a damaged one is an
  // error naming the file.
  Result<std::vector<RunningTrial>> load() const;

  // Records a trial that started, or forgets one that ended, and rewrites the file atomically.
  Status add(const RunningTrial& trial);
  Status remove(int64_t trial_id);
  Status clear();

 private:
  Status save() const;

  std::filesystem::path file_;
  std::map<int64_t, RunningTrial> trials_;
};

// Ends what is left of a trial an earlier run started: its leader's group if the leader is
// still the same process, every process carrying its marker, and its cgroup.
void end_leftover(const RunningTrial& trial);

}  // namespace labsweep::agent
