#pragma once

// Reading the files a trial may write to (its stdout.log and stderr.log) without being tricked
// by the trial: an agent that runs as root starts trials as another user (trial_user.h), who
// owns the trial's directory and could put a link to a file only root may read in place of its
// output, for the agent to read and send to the orchestrator.

#include <filesystem>

namespace labsweep::agent {

// Opens `path` for reading, refusing a symbolic link (not followed), anything but a regular
// file (a FIFO would block), and a file with more than one name (a hard link to another file).
// The descriptor is close-on-exec; -1 with errno set (ENOENT when it is not there) otherwise.
int open_trial_file(const std::filesystem::path& path);

}  // namespace labsweep::agent
