#pragma once

// What the agent finds in /proc about processes it has lost track of: those still carrying a
// finished trial's marker, and orphans reparented to it as child subreaper.

#include <sys/types.h>

#include <map>
#include <optional>
#include <set>
#include <string>

namespace labsweep::agent {

// The pids of trial leaders launched and not yet reaped (their exit status belongs to their
// Process). Used from the agent's one supervising thread only.
std::set<pid_t>& launched_leaders();

// Wait statuses of launched leaders that reap_orphans() had to reap (it cannot pass over one
// exited child to reach the next), each killed with its group first, kept for its Process to
// take. Used from the agent's one supervising thread only.
std::map<pid_t, int>& reaped_leaders();

// Kills every process whose environment holds `marker` as an entry, again and again until none
// is left alive, so that one forking while it is being killed is caught too. Reads every
// process of the machine: for leftovers whose age is unknown (an earlier agent's).
void kill_marked_processes(const std::string& marker);

// The same for the descendants of a trial whose leader had pid `leader`, looking only at the
// pids the kernel handed out after it: a process created later has one of those, until the
// kernel's pid counter comes round to `leader` again (pid_max allocations), which the caller
// rules out by calling this only for a trial that lived briefly. Probes those pids instead of
// reading every process of the machine.
void kill_marked_processes_since(const std::string& marker, pid_t leader);

// The last pid handed out in this pid namespace (the last field of /proc/loadavg), or nullopt.
std::optional<pid_t> last_pid();

// What is readable of a /proc file; empty when it is gone. Never throws, unlike an ifstream
// over a process that is reaped between open and read.
std::string read_proc_file(const std::string& path);

// Reaps this process's exited children without blocking. One in `keep` (a launched leader) is
// reaped only after its process group is killed, and its status goes to reaped_leaders().
void reap_orphans(const std::set<pid_t>& keep);

}  // namespace labsweep::agent
