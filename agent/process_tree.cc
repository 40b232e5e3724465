#include "agent/process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/process_table.h"

namespace labsweep::agent {
namespace {

// The parent of `pid` (field 4 of /proc/PID/stat), or 0 when it is gone.
pid_t parent_of(pid_t pid) {
  std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 4 >= stat.size()) return 0;
  return static_cast<pid_t>(std::strtol(stat.c_str() + close + 4, nullptr, 10));
}

}  // namespace

std::unordered_set<int> descendant_pids(pid_t root) {
  std::unordered_map<pid_t, std::vector<pid_t>> children;
  if (DIR* dir = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(dir)) {
      char* end = nullptr;
      long pid = std::strtol(entry->d_name, &end, 10);
      if (*end != '\0' || pid <= 0) continue;
      if (pid_t parent = parent_of(static_cast<pid_t>(pid))) {
        children[parent].push_back(static_cast<pid_t>(pid));
      }
    }
    ::closedir(dir);
  }
  std::unordered_set<int> found;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t pid = todo.back();
    todo.pop_back();
    for (pid_t child : children[pid]) {
      if (found.insert(child).second) todo.push_back(child);
    }
  }
  return found;
}

std::unordered_set<int> descendants_among(const std::vector<int>& pids, pid_t root) {
  std::unordered_set<int> found;
  for (int pid : pids) {
    // Bounded: a parent chain is short, and a loop would only come from pids reused under us.
    pid_t ancestor = static_cast<pid_t>(pid);
    for (int depth = 0; depth < 256 && ancestor > 1 && ancestor != root; ++depth) {
      ancestor = parent_of(ancestor);
    }
    if (ancestor == root && pid != root) found.insert(pid);
  }
  return found;
}

}  // namespace labsweep::agent
