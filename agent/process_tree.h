#pragma once

// The processes below one process in the tree of parents, from /proc: the agent's trial
// processes for the GPU inventory (a process of ours computing on a GPU does not make it busy).

#include <sys/types.h>

#include <unordered_set>
#include <vector>

namespace labsweep::agent {

// The pids of every live descendant of `root` (children, their children, ...), not `root`.
// Reads every process of the machine.
std::unordered_set<int> descendant_pids(pid_t root);

// Those of `pids` that descend from `root`, found by following each one's parents up: reads
// only the ancestors of `pids` (the processes on the GPUs), not every process.
std::unordered_set<int> descendants_among(const std::vector<int>& pids, pid_t root);

}  // namespace labsweep::agent
