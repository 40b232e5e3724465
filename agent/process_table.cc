#include "agent/process_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace labsweep::agent {
namespace {

// Every numeric entry of /proc: the pids that exist right now.
std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  DIR* dir = ::opendir("/proc");
  if (!dir) return pids;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  return pids;
}

// The state letter and the parent pid from /proc/PID/stat, or false when it is gone.
bool read_stat(pid_t pid, char& state, pid_t& parent) {
  std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 4 >= stat.size()) return false;
  state = stat[close + 2];
  parent = static_cast<pid_t>(std::strtol(stat.c_str() + close + 4, nullptr, 10));
  return true;
}

bool carries(pid_t pid, const std::string& marker) {
  std::string environ = read_proc_file("/proc/" + std::to_string(pid) + "/environ");
  std::string needle = marker + '\0';
  if (environ.compare(0, needle.size(), needle) == 0) return true;
  return environ.find('\0' + needle) != std::string::npos;
}

}  // namespace

// What is readable of a /proc file; empty when it is gone. Not std::ifstream: libstdc++'s
// filebuf throws when read() fails, and reading /proc/PID/stat or environ of a process that
// is reaped between open and read fails with ESRCH.
std::string read_proc_file(const std::string& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

std::set<pid_t>& launched_leaders() {
  static std::set<pid_t> leaders;
  return leaders;
}

void kill_marked_processes(const std::string& marker) {
  const pid_t self = ::getpid();
  for (int round = 0; round < 16; ++round) {
    bool found = false;
    for (pid_t pid : all_pids()) {
      char state;
      pid_t parent;
      if (pid == self || !read_stat(pid, state, parent) || state == 'Z') continue;
      if (!carries(pid, marker)) continue;
      ::kill(pid, SIGKILL);
      found = true;
    }
    if (!found) return;
  }
}

void reap_orphans(const std::set<pid_t>& keep) {
  const pid_t self = ::getpid();
  for (pid_t pid : all_pids()) {
    char state;
    pid_t parent;
    if (keep.count(pid) || !read_stat(pid, state, parent) || parent != self) continue;
    int ignored;
    ::waitpid(pid, &ignored, WNOHANG);
  }
}

}  // namespace labsweep::agent
