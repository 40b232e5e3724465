// labsweep-trial-shim: what the agent starts in place of a trial's command, to do what
// posix_spawn cannot (docs/agent.md, "Ending a trial"):
//
//   labsweep-trial-shim [--cgroup DIR] [--parent PID] [--uid UID --gid GID --groups G,...]
//                       -- ARGV...
//
// --cgroup DIR   moves itself into the cgroup DIR first, so that every process of the trial is
//                born inside it (moving the command in after it started would race its forks);
//                if that fails the trial still runs and the agent falls back to its marker.
// --parent PID   stays as the trial's leader and supervises ARGV, run as its child in the same
//                process group: when its parent, the agent (PID), dies, it kills the trial's
//                cgroup and process group, so that a killed agent leaves no trial running. It
//                ignores termination signals (the command receives the group's own copy) and
//                exits as the command did: the same exit code, or killed by the same signal.
// --uid, --gid, --groups (all three): ARGV runs with these user, group and supplementary groups
//                (a comma-separated list, maybe empty), taken for good (real, effective and
//                saved ids) just before it is executed; the shim itself keeps the agent's, to end
//                the trial. If they cannot be taken, ARGV does not run. For an agent running as
//                root, whose trials must not (docs/agent.md, "Whose rights trials have").
//
// Without --parent it simply executes ARGV. ARGV runs directly (no shell, PATH lookup as execvp
// does). The shim reports its own failures on stderr, which is the trial's, and exits 127.
//
// It runs once per trial, before the command, so its start-up is on every trial's path: plain C
// library calls only (no iostreams, no std::string), linked statically where the build allows
// (agent/CMakeLists.txt), so that starting it costs no dynamic loading.

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

constexpr int kParentDied = SIGUSR1;  // the parent-death signal: one the shim can catch

constexpr int kMaxGroups = 256;

// Who ARGV runs as; `set` is false to keep the shim's own credentials.
struct Credentials {
  bool set = false;
  uid_t uid = 0;
  gid_t gid = 0;
  gid_t groups[kMaxGroups];
  size_t group_count = 0;
};

int usage() {
  std::fputs(
      "usage: labsweep-trial-shim [--cgroup DIR] [--parent PID] "
      "[--uid UID --gid GID --groups G,...] -- ARGV...\n",
      stderr);
  return 127;
}

// A decimal id; false for anything else (a sign, a name, trailing characters).
bool parse_id(const char* text, unsigned long& id) {
  if (*text < '0' || *text > '9') return false;
  char* end = nullptr;
  errno = 0;
  id = std::strtoul(text, &end, 10);
  return errno == 0 && *end == '\0' && id <= 0xfffffffeul;  // (uid_t)-1 means "unchanged"
}

bool parse_groups(const char* text, Credentials& c) {
  while (*text != '\0') {
    char item[16];
    size_t n = std::strcspn(text, ",");
    unsigned long id = 0;
    if (n == 0 || n >= sizeof item || c.group_count == kMaxGroups) return false;
    std::memcpy(item, text, n);
    item[n] = '\0';
    if (!parse_id(item, id)) return false;
    c.groups[c.group_count++] = static_cast<gid_t>(id);
    text += n;
    if (*text == ',') ++text;
  }
  return true;
}

// Takes the trial's credentials for good, or exits without running anything.
void become(const Credentials& c, const char* command) {
  if (!c.set) return;
  if (::setgroups(c.group_count, c.groups) != 0 || ::setresgid(c.gid, c.gid, c.gid) != 0 ||
      ::setresuid(c.uid, c.uid, c.uid) != 0) {
    std::fprintf(stderr, "labsweep: cannot start '%s' as user %lu: %s\n", command,
                 static_cast<unsigned long>(c.uid), std::strerror(errno));
    std::_Exit(127);
  }
  uid_t r, e, s;
  if (::getresuid(&r, &e, &s) != 0 || r != c.uid || e != c.uid || s != c.uid ||
      (c.uid != 0 && ::setuid(0) == 0)) {
    std::fprintf(stderr, "labsweep: cannot start '%s': the user %lu could not be taken for good\n",
                 command, static_cast<unsigned long>(c.uid));
    std::_Exit(127);
  }
}

// Writes `text` to `dir`/`name` (a cgroup control file); failures are left to the agent's marker.
void write_file(const char* dir, const char* name, const char* text) {
  char path[4096];
  int n = std::snprintf(path, sizeof path, "%s/%s", dir, name);
  if (n < 0 || static_cast<size_t>(n) >= sizeof path) return;
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  [[maybe_unused]] ssize_t written = ::write(fd, text, std::strlen(text));
  ::close(fd);
}

[[noreturn]] void exec_command(char** command, const Credentials& credentials) {
  become(credentials, command[0]);
  ::execvp(command[0], command);
  std::fprintf(stderr, "labsweep: cannot start '%s': %s\n", command[0], std::strerror(errno));
  std::_Exit(127);
}

// The agent is gone: nothing of the trial may outlive it.
[[noreturn]] void kill_trial(const char* cgroup) {
  if (cgroup != nullptr) write_file(cgroup, "cgroup.kill", "1");
  ::kill(0, SIGKILL);  // the process group, this process included
  std::_Exit(137);
}

// Ends this process the way the command's status says it ended.
int exit_like(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int signal = WTERMSIG(status);
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // the command dumped core already, if it was to
  ::signal(signal, SIG_DFL);
  sigset_t just;
  sigemptyset(&just);
  sigaddset(&just, signal);
  ::sigprocmask(SIG_UNBLOCK, &just, nullptr);
  ::raise(signal);
  return 128 + signal;  // a signal whose default is not to terminate
}

int supervise(char** command, pid_t parent, const char* cgroup, const Credentials& credentials) {
  sigset_t waited;
  sigemptyset(&waited);
  for (int s : {SIGCHLD, kParentDied, SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&waited, s);
  sigset_t original;
  ::sigprocmask(SIG_BLOCK, &waited, &original);
  ::prctl(PR_SET_PDEATHSIG, kParentDied);
  if (::getppid() != parent) kill_trial(cgroup);  // the agent died before the line above
  pid_t child = ::fork();
  if (child < 0) {
    std::fprintf(stderr, "labsweep: cannot start '%s': fork: %s\n", command[0],
                 std::strerror(errno));
    return 127;
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, 0);
    ::sigprocmask(SIG_SETMASK, &original, nullptr);
    exec_command(command, credentials);
  }
  for (;;) {
    siginfo_t info{};
    int signal = ::sigwaitinfo(&waited, &info);
    if (signal == SIGCHLD) {
      int status = 0;
      if (::waitpid(child, &status, WNOHANG) == child) return exit_like(status);
    } else if (signal == kParentDied && ::getppid() != parent) {
      kill_trial(cgroup);
    }
    // SIGTERM and the like: the command got the group's copy and decides for itself.
  }
}

}  // namespace

int main(int argc, char** argv) {
  int i = 1;
  const char* cgroup = nullptr;
  long parent = 0;
  Credentials credentials;
  int ids = 0;  // --uid, --gid and --groups seen
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    unsigned long id = 0;
    if (std::strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc) {
      cgroup = argv[++i];
    } else if (std::strcmp(argv[i], "--parent") == 0 && i + 1 < argc) {
      parent = std::strtol(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--uid") == 0 && i + 1 < argc && parse_id(argv[++i], id)) {
      credentials.uid = static_cast<uid_t>(id);
      ids |= 1;
    } else if (std::strcmp(argv[i], "--gid") == 0 && i + 1 < argc && parse_id(argv[++i], id)) {
      credentials.gid = static_cast<gid_t>(id);
      ids |= 2;
    } else if (std::strcmp(argv[i], "--groups") == 0 && i + 1 < argc &&
               parse_groups(argv[++i], credentials)) {
      ids |= 4;
    } else {
      return usage();
    }
  }
  if (i + 1 >= argc || (ids != 0 && ids != 7)) return usage();
  credentials.set = ids == 7;
  if (cgroup != nullptr && *cgroup == '\0') cgroup = nullptr;      // "--cgroup ''": none
  if (cgroup != nullptr) write_file(cgroup, "cgroup.procs", "0");  // "0": this process
  char** command = argv + i + 1;
  if (parent <= 0) exec_command(command, credentials);
  return supervise(command, static_cast<pid_t>(parent), cgroup, credentials);
}
