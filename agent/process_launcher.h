#pragma once

// The agent's seam to the operating system's processes: starting a trial's command and ending
// it. `main()` wires the POSIX implementation; tests may pass a recording fake.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace labsweep::agent {

struct LaunchSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // the child's whole environment
  std::filesystem::path cwd;                             // must exist
  std::filesystem::path stdout_path;  // created or truncated; relative paths are in cwd
  std::filesystem::path stderr_path;
  // An entry of `env` ("LABSWEEP_TRIAL_DIR=/x/trials/42") that marks the trial's processes: when
  // the trial ends, every process still carrying it is killed, also one that left the process group
  // or started its own session. Empty: only the group is ended.
  std::string marker;
};

struct ExitStatus {
  int exit_code = 0;  // meaningful when signal == 0
  int signal = 0;     // the signal that ended the process, or 0
  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

// A launched command: the leader of its own process group. Not thread-safe.
class Process {
 public:
  virtual ~Process() = default;

  virtual int pid() const = 0;

  // A descriptor that becomes readable when the leader exits (a pidfd), for the agent's poll
  // set; -1 when there is none, and then poll() is to be called on a timer.
  virtual int exit_fd() const { return -1; }

  // Sends `signal` to every process in the group while the group is known to be ours.
  virtual void signal_group(int signal) = 0;

  // The leader's exit status once it has exited, else nullopt; never blocks. When the leader
  // has exited, the rest of its group is killed first, so that no member outlives the trial.
  virtual std::optional<ExitStatus> poll() = 0;
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Starts the command in a new process group; fails when it cannot be executed.
  virtual Result<std::unique_ptr<Process>> launch(const LaunchSpec& spec) = 0;
};

}  // namespace labsweep::agent
