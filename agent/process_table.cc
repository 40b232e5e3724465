#include "agent/process_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>
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

enum class Mark { kCarries, kNot, kUnreadable };

// Whether `pid` carries `marker` in its environment. An empty environment that we may read is
// kUnreadable: a zombie's, a kernel thread's, and, for an instant, that of a process in the
// middle of execve().
Mark mark_of(pid_t pid, const std::string& marker) {
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  std::string environ = read_proc_file(path);
  // Another user's process (the agent need not be root) is not ours: not worth looking again.
  if (environ.empty()) return ::access(path.c_str(), R_OK) == 0 ? Mark::kUnreadable : Mark::kNot;
  std::string needle = marker + '\0';
  if (environ.compare(0, needle.size(), needle) == 0) return Mark::kCarries;
  return environ.find('\0' + needle) != std::string::npos ? Mark::kCarries : Mark::kNot;
}

// A live process of user space: neither gone, nor a zombie, nor a kernel thread (kthreadd, pid
// 2, and its children).
bool live_user_process(pid_t pid) {
  char state;
  pid_t parent;
  return pid != 2 && read_stat(pid, state, parent) && state != 'Z' && parent != 2;
}

// How long a process whose environment cannot be read is looked at again: execve() replaces
// the environment in well under a millisecond.
constexpr int kUnreadableRetries = 20;
constexpr std::chrono::milliseconds kUnreadableRetryStep{1};

// The highest pid plus one (/proc/sys/kernel/pid_max); pids are handed out cyclically below it.
pid_t pid_max() {
  static const pid_t max = [] {
    long value = std::strtol(read_proc_file("/proc/sys/kernel/pid_max").c_str(), nullptr, 10);
    return static_cast<pid_t>(value > 0 ? value : 4194304);
  }();
  return max;
}

// Beyond this many candidates, listing /proc costs less than probing each pid.
constexpr pid_t kMaxProbedPids = 4096;

// The pids that may exist among those handed out after `after`, up to `last`, in the order the
// kernel hands them out (it wraps round from pid_max to the low pids).
std::vector<pid_t> pids_after(pid_t after, pid_t last) {
  const pid_t max = pid_max();
  const pid_t count = ((last - after) % max + max) % max;
  std::vector<pid_t> pids;
  if (count <= kMaxProbedPids) {
    for (pid_t i = 1; i <= count; ++i) pids.push_back((after + i) % max);
    return pids;
  }
  for (pid_t pid : all_pids()) {
    pid_t distance = ((pid - after) % max + max) % max;
    if (distance >= 1 && distance <= count) pids.push_back(pid);
  }
  return pids;
}

// Kills the processes among `pids` that carry `marker`; whether there was any. A daemon that
// execs just as the trial ends has no environment to read for that instant, so a live process
// that cannot be read is looked at again until it can.
bool kill_marked_among(const std::vector<pid_t>& pids, const std::string& marker) {
  const pid_t self = ::getpid();
  bool found = false;
  std::vector<pid_t> unreadable;
  auto judge = [&](pid_t pid) {
    Mark mark = mark_of(pid, marker);
    if (mark == Mark::kCarries) {
      ::kill(pid, SIGKILL);
      found = true;
    }
    return mark;
  };
  for (pid_t pid : pids) {
    if (pid <= 0 || pid == self) continue;
    if (judge(pid) == Mark::kUnreadable) unreadable.push_back(pid);
  }
  std::erase_if(unreadable, [](pid_t pid) { return !live_user_process(pid); });
  for (int retry = 0; retry < kUnreadableRetries && !unreadable.empty(); ++retry) {
    std::this_thread::sleep_for(kUnreadableRetryStep);
    std::erase_if(unreadable, [&](pid_t pid) {
      return judge(pid) != Mark::kUnreadable || !live_user_process(pid);
    });
  }
  return found;
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

std::map<pid_t, int>& reaped_leaders() {
  static std::map<pid_t, int> statuses;
  return statuses;
}

std::optional<pid_t> last_pid() {
  // "0.20 0.18 0.12 1/80 11206": the last field is the last pid handed out.
  std::string loadavg = read_proc_file("/proc/loadavg");
  size_t space = loadavg.rfind(' ');
  if (space == std::string::npos) return std::nullopt;
  long pid = std::strtol(loadavg.c_str() + space + 1, nullptr, 10);
  if (pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

void kill_marked_processes(const std::string& marker) {
  for (int round = 0; round < 16; ++round) {
    std::vector<pid_t> live;
    for (pid_t pid : all_pids()) {
      char state;
      pid_t parent;
      if (read_stat(pid, state, parent) && state != 'Z') live.push_back(pid);
    }
    if (!kill_marked_among(live, marker)) return;
  }
}

void kill_marked_processes_since(const std::string& marker, pid_t leader) {
  for (int round = 0; round < 16; ++round) {
    std::optional<pid_t> last = last_pid();
    if (!last) return kill_marked_processes(marker);
    if (!kill_marked_among(pids_after(leader, *last), marker)) return;
  }
}

void reap_orphans(const std::set<pid_t>& keep) {
  for (;;) {
    siginfo_t info{};
    // WNOWAIT: a leader is looked at before it is reaped, so that its group id is still ours
    // while the group is killed.
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    pid_t pid = info.si_pid;
    if (keep.count(pid)) ::kill(-pid, SIGKILL);
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return;
    if (keep.count(pid)) reaped_leaders()[pid] = status;
  }
}

}  // namespace labsweep::agent
