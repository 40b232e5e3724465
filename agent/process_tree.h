#pragma once

// The processes below one process in the tree of parents, from /proc: the agent's trial
// processes for the GPU inventory (a process of ours computing on a GPU does not make it busy).

#include <sys/types.h>

#include <unordered_set>

namespace labsweep::agent {

// The pids of every live descendant of `root` (children, their children, ...), not `root`.
std::unordered_set<int> descendant_pids(pid_t root);

}  // namespace labsweep::agent
