#include "agent/trial_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "agent/stderr_tail.h"

namespace labsweep::agent {
namespace {

constexpr size_t kMaxSocketPathBytes = 107;  // sun_path's 108 bytes less the terminating NUL
constexpr char kSocketName[] = "labsweep.sock";

std::string path_of(const Environment& env) {
  for (const auto& [name, value] : env) {
    if (name == "PATH") return value;
  }
  return "/usr/local/bin:/usr/bin:/bin";  // execvp's default, near enough
}

}  // namespace

std::optional<std::filesystem::path> find_trial_shim() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  // Beside the binary in a build tree; in lib/labsweep/ of an installation (/usr/bin/labsweep,
  // /usr/lib/labsweep/labsweep-trial-shim).
  for (const std::filesystem::path& shim :
       {self.parent_path() / "labsweep-trial-shim",
        self.parent_path().parent_path() / "lib" / "labsweep" / "labsweep-trial-shim"}) {
    if (::access(shim.c_str(), X_OK) == 0) return shim;
  }
  return std::nullopt;
}

Result<std::filesystem::path> resolve_command(const std::string& command, const Environment& env) {
  auto fail = [&](int error) {
    return Status(StatusCode::kFailedPrecondition,
                  "cannot start '" + command + "': " + std::strerror(error));
  };
  if (command.empty()) return fail(ENOENT);
  if (command.find('/') != std::string::npos) {
    if (::access(command.c_str(), X_OK) != 0) return fail(errno);
    return std::filesystem::path(command);
  }
  std::string path = path_of(env);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find(':', start), path.size());
    std::filesystem::path dir = path.substr(start, end - start);
    std::filesystem::path candidate = (dir.empty() ? "." : dir) / command;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate, ec)) {
      return candidate;
    }
    start = end + 1;
  }
  return fail(ENOENT);
}

Result<std::filesystem::path> make_trial_dir(const std::filesystem::path& work_dir,
                                             int64_t trial_id) {
  std::error_code ec;
  std::filesystem::path trials = work_dir / "trials";
  std::filesystem::create_directories(trials, ec);
  if (ec) return io_error("cannot create " + trials.string() + ": " + ec.message());
  for (int attempt = 1; attempt < 10000; ++attempt) {
    std::string name = std::to_string(trial_id);
    if (attempt > 1) name += "-" + std::to_string(attempt);
    std::filesystem::path dir = trials / name;
    if (std::filesystem::create_directory(dir, ec)) return dir;
    if (ec) return io_error("cannot create " + dir.string() + ": " + ec.message());
  }
  return io_error("too many attempts of trial " + std::to_string(trial_id) + " in " +
                  trials.string());
}

std::filesystem::path trial_socket_path(const std::filesystem::path& trial_dir,
                                        const std::filesystem::path& runtime_dir) {
  std::filesystem::path inside = trial_dir / kSocketName;
  if (inside.string().size() <= kMaxSocketPathBytes) return inside;
  return runtime_dir / (trial_dir.filename().string() + ".sock");
}

Result<std::unique_ptr<TrialRunner>> TrialRunner::start(const protocol::Assign& assign,
                                                        const TrialSetup& setup,
                                                        ProcessLauncher& launcher,
                                                        const Clock& clock) {
  if (assign.argv.empty()) return invalid_argument("the trial's command is empty");
  Result<std::filesystem::path> dir = make_trial_dir(setup.work_dir, assign.trial_id);
  if (!dir) return dir.status();
  std::unique_ptr<TrialRunner> runner(new TrialRunner(assign, dir.value()));
  if (Status s = runner->prepare(setup, clock); !s.is_ok()) return s;
  if (Status s = runner->launch(setup, launcher, clock); !s.is_ok()) return s;
  return runner;
}

Status TrialRunner::prepare(const TrialSetup& setup, const Clock& clock) {
  std::filesystem::path params = dir_ / "params.json";
  {
    std::ofstream out(params, std::ios::binary);
    out << (assign_.params_json.empty() ? "{}" : assign_.params_json) << '\n';
    if (!out.flush()) return io_error("cannot write " + params.string());
  }
  Result<std::unique_ptr<TrialSocket>> socket =
      TrialSocket::open(trial_socket_path(dir_, setup.runtime_dir), clock);
  if (!socket) return socket.status();
  socket_ = std::move(socket).value();
  if (!assign_.stdout_regex.empty()) {
    Result<std::unique_ptr<StdoutMetricParser>> parser =
        StdoutMetricParser::create(dir_ / "stdout.log", assign_.stdout_regex, clock);
    if (!parser) return parser.status();
    stdout_parser_ = std::move(parser).value();
  }
  if (setup.user) return give_to_user(*setup.user);
  return Status::ok();
}

// The trial's directory, params.json, socket and output files become the trial user's, the
// directory last: until then only the agent may write in it. lchown and O_NOFOLLOW: nothing
// here follows a link the user could have put in place.
Status TrialRunner::give_to_user(const TrialUser& user) const {
  auto failed = [&](const std::filesystem::path& path) {
    return io_error("cannot give " + path.string() + " to " + user.name + ": " +
                    std::strerror(errno));
  };
  for (const char* name : {"stdout.log", "stderr.log"}) {
    std::filesystem::path path = dir_ / name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return failed(path);
    int changed = ::fchown(fd, user.uid, user.gid);
    ::close(fd);
    if (changed != 0) return failed(path);
  }
  for (const std::filesystem::path& path : {socket_->path(), dir_ / "params.json", dir_}) {
    if (::lchown(path.c_str(), user.uid, user.gid) != 0) return failed(path);
  }
  return Status::ok();
}

Status TrialRunner::launch(const TrialSetup& setup, ProcessLauncher& launcher, const Clock& clock) {
  TrialPaths paths{dir_, dir_ / "params.json", socket_->path()};
  LaunchSpec spec{assign_.argv,
                  trial_environment(setup.base_env, assign_, paths),
                  dir_,
                  dir_ / "stdout.log",
                  dir_ / "stderr.log",
                  trial_marker(dir_)};
  // Checked here so that a command that does not exist is refused, not run as a shim that
  // fails.
  if (Result<std::filesystem::path> found = resolve_command(spec.argv[0], spec.env); !found) {
    return found.status();
  }
  if (setup.cgroup_parent) {
    Result<std::unique_ptr<TrialCgroup>> cgroup =
        TrialCgroup::create(*setup.cgroup_parent, setup.cgroup_prefix + dir_.filename().string());
    if (cgroup) cgroup_ = std::move(cgroup).value();  // else the marker does the work alone
  }
  if (setup.user && !setup.shim) {
    return Status(StatusCode::kFailedPrecondition,
                  "cannot start '" + spec.argv[0] + "' as " + setup.user->name +
                      ": that needs labsweep-trial-shim, which is not installed beside labsweep");
  }
  if (setup.shim) spec.argv = shim_argv(setup);
  Result<std::unique_ptr<Process>> process = launcher.launch(spec);
  if (!process) return process.status();
  process_ = std::move(process).value();
  // Without the shim the leader is moved in as soon as it exists; a child it forked in the
  // instant before is still found by the marker.
  if (cgroup_ && !setup.shim && !cgroup_->add(process_->pid()).is_ok()) cgroup_.reset();
  stop_sequence_ = std::make_unique<StopSequence>(
      *process_, clock, assign_.stop_grace, assign_.kill_delay,
      [this] { socket_->send_stop_notice(stop_reason_.value_or("")); });
  record_ = {assign_.trial_id,
             process_->pid(),
             process_->pid(),
             process_start_time(process_->pid()).value_or(0),
             dir_,
             cgroup_ ? cgroup_->dir() : std::filesystem::path()};
  return Status::ok();
}

std::vector<std::string> TrialRunner::shim_argv(const TrialSetup& setup) const {
  std::vector<std::string> argv{setup.shim->string()};
  if (cgroup_) argv.insert(argv.end(), {"--cgroup", cgroup_->dir().string()});
  if (setup.user) {
    std::string groups;
    for (gid_t group : setup.user->groups)
      groups += (groups.empty() ? "" : ",") + std::to_string(group);
    argv.insert(argv.end(), {"--uid", std::to_string(setup.user->uid), "--gid",
                             std::to_string(setup.user->gid), "--groups", groups});
  }
  argv.insert(argv.end(), {"--parent", std::to_string(::getpid()), "--"});
  argv.insert(argv.end(), assign_.argv.begin(), assign_.argv.end());
  return argv;
}

TrialRunner::~TrialRunner() {
  stop_sequence_.reset();
  if (process_ && !exit_) process_->signal_group(SIGKILL);
  process_.reset();  // reaps the leader, kills by marker
  cgroup_.reset();   // kills what is left in the cgroup
}

void TrialRunner::stop(const std::string& reason) {
  if (stop_reason_ || exit_) return;
  stop_reason_ = reason;
  stop_sequence_->begin();
}

std::optional<ExitStatus> TrialRunner::poll() {
  if (exit_) return exit_;
  stop_sequence_->tick();
  std::optional<ExitStatus> status = process_->poll();
  if (!status) return std::nullopt;
  if (cgroup_) cgroup_->kill();
  exit_ = status;
  return exit_;
}

std::string TrialRunner::stderr_tail() const { return agent::stderr_tail(dir_ / "stderr.log"); }

}  // namespace labsweep::agent
