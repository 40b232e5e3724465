#pragma once

// What the agent finds in /proc about processes it has lost track of: those still carrying a
// finished trial's marker, and orphans reparented to it as child subreaper.

#include <sys/types.h>

#include <set>
#include <string>

namespace labsweep::agent {

// The pids of trial leaders launched and not yet reaped (their exit status belongs to their
// Process). Used from the agent's one supervising thread only.
std::set<pid_t>& launched_leaders();

// Kills every process whose environment holds `marker` as an entry, again and again until none
// is left alive, so that one forking while it is being killed is caught too.
void kill_marked_processes(const std::string& marker);

// What is readable of a /proc file; empty when it is gone. Never throws, unlike an ifstream
// over a process that is reaped between open and read.
std::string read_proc_file(const std::string& path);

// Reaps this process's exited children that are not in `keep`, without blocking.
void reap_orphans(const std::set<pid_t>& keep);

}  // namespace labsweep::agent
