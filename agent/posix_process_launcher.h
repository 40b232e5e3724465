#pragma once

#include "agent/process_launcher.h"

namespace labsweep::agent {

// Launches with posix_spawn: argv without a shell, a new process group, the given environment
// and working directory, stdout and stderr to files, stdin from /dev/null.
//
// Constructing one makes this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so
// that descendants orphaned by a trial become its children, are found by their marker, killed
// and reaped, and never linger as zombies. One per process.
class PosixProcessLauncher final : public ProcessLauncher {
 public:
  PosixProcessLauncher();
  Result<std::unique_ptr<Process>> launch(const LaunchSpec& spec) override;
};

}  // namespace labsweep::agent
