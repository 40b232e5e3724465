#pragma once

#include "agent/process_launcher.h"

namespace labsweep::agent {

// Launches with posix_spawn: argv without a shell, a new process group, the given environment
// and working directory, stdout and stderr to files, stdin from /dev/null.
class PosixProcessLauncher final : public ProcessLauncher {
 public:
  Result<std::unique_ptr<Process>> launch(const LaunchSpec& spec) override;
};

}  // namespace labsweep::agent
