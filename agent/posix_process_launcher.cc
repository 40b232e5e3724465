#include "agent/posix_process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "agent/process_table.h"

namespace labsweep::agent {
namespace {

// A pidfd of `pid` (Linux 5.3+; close-on-exec), readable once the process has exited, or -1
// where the kernel or the C library headers have none. Through syscall(): older glibc has no
// wrapper.
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd >= 0 ? static_cast<int>(fd) : -1;
#else
  (void)pid;
  return -1;
#endif
}

// Leftovers of a trial that lived longer than this are looked for among every process: within
// it, the kernel cannot have handed out pid_max pids (32768 on many machines) and come round to
// the leader's pid again, so the pids handed out after the leader's hold all its descendants.
constexpr std::chrono::seconds kPidRangeTrustedFor{1};

// The leader's pid is ours until we reap it, and so is its process group id: while the leader
// is alive or a zombie, no other process can be given that id. So the group is signalled only
// before the leader is reaped, never after, when the id could belong to a stranger.
class PosixProcess final : public Process {
 public:
  PosixProcess(pid_t pid, std::string marker)
      : pid_(pid),
        marker_(std::move(marker)),
        started_(std::chrono::steady_clock::now()),
        pidfd_(open_pidfd(pid)) {
    launched_leaders().insert(pid_);
  }
  ~PosixProcess() override {
    if (!status_ && !take_reaped()) {
      ::kill(-pid_, SIGKILL);
      int ignored;
      ::waitpid(pid_, &ignored, 0);
      finish();
    }
    if (pidfd_ >= 0) ::close(pidfd_);
  }

  int pid() const override { return pid_; }
  int exit_fd() const override { return pidfd_; }

  void signal_group(int signal) override {
    if (!status_ && !reaped_leaders().count(pid_)) ::kill(-pid_, signal);
  }

  std::optional<ExitStatus> poll() override {
    if (status_ || take_reaped()) return status_;
    siginfo_t info{};
    // WNOWAIT: look without reaping, so that the group id stays ours while the rest of the
    // group is killed.
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        info.si_pid == 0) {
      return std::nullopt;
    }
    ::kill(-pid_, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
    set_status(wstatus);
    return status_;
  }

 private:
  void set_status(int wstatus) {
    status_ = WIFSIGNALED(wstatus) ? ExitStatus{0, WTERMSIG(wstatus)}
                                   : ExitStatus{WEXITSTATUS(wstatus), 0};
    finish();
  }

  // reap_orphans() reaped the leader (its group killed first) while reaping others.
  bool take_reaped() {
    auto it = reaped_leaders().find(pid_);
    if (it == reaped_leaders().end()) return false;
    int wstatus = it->second;
    reaped_leaders().erase(it);
    set_status(wstatus);
    return true;
  }

  // After the leader is reaped: kill what still carries the trial's marker, and reap the
  // orphans that come back to us as subreaper, leaving other trials' leaders alone.
  void finish() {
    launched_leaders().erase(pid_);
    if (!marker_.empty()) {
      if (std::chrono::steady_clock::now() - started_ < kPidRangeTrustedFor) {
        kill_marked_processes_since(marker_, pid_);
      } else {
        kill_marked_processes(marker_);
      }
    }
    reap_orphans(launched_leaders());
  }

  pid_t pid_;
  std::string marker_;
  std::chrono::steady_clock::time_point started_;
  int pidfd_;
  std::optional<ExitStatus> status_;
};

// posix_spawn's file actions and attributes, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

void prepare(SpawnSetup& s, const LaunchSpec& spec) {
  constexpr int kOutput = O_WRONLY | O_CREAT | O_TRUNC;  // no O_CLOEXEC: these survive exec
  posix_spawn_file_actions_addchdir_np(&s.actions, spec.cwd.c_str());
  posix_spawn_file_actions_addopen(&s.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&s.actions, STDOUT_FILENO, spec.stdout_path.c_str(), kOutput,
                                   0644);
  posix_spawn_file_actions_addopen(&s.actions, STDERR_FILENO, spec.stderr_path.c_str(), kOutput,
                                   0644);
  // A new process group led by the child, and default signal handling whatever the agent's.
  sigset_t all;
  sigfillset(&all);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&s.attributes, &all);
  posix_spawnattr_setsigmask(&s.attributes, &none);
  posix_spawnattr_setpgroup(&s.attributes, 0);
  posix_spawnattr_setflags(&s.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

}  // namespace

PosixProcessLauncher::PosixProcessLauncher() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

Result<std::unique_ptr<Process>> PosixProcessLauncher::launch(const LaunchSpec& spec) {
  if (spec.argv.empty()) return invalid_argument("the command is empty");
  std::error_code ec;
  if (!std::filesystem::is_directory(spec.cwd, ec)) {
    return Status(StatusCode::kFailedPrecondition, "cannot start '" + spec.argv[0] +
                                                       "': working directory " + spec.cwd.string() +
                                                       " does not exist");
  }
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (const auto& [k, v] : spec.env) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  SpawnSetup setup;
  prepare(setup, spec);
  pid_t pid = 0;
  // posix_spawnp looks argv[0] up in the agent's PATH; glibc reports a failed exec here.
  int error =
      posix_spawnp(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), envp.data());
  if (error != 0) {
    return Status(StatusCode::kFailedPrecondition,
                  "cannot start '" + spec.argv[0] + "': " + std::strerror(error));
  }
  return std::unique_ptr<Process>(std::make_unique<PosixProcess>(pid, spec.marker));
}

}  // namespace labsweep::agent
