#pragma once

// One trial on this machine, from Assign to exit (docs/agent.md, "Running a trial"): its
// directory with params.json, its metrics socket, its process started through the injected
// launcher with the trial environment, its cgroup where the agent may make one, and the stop
// sequence that ends it. The agent's loop drives it: waits on socket().fd(), calls poll().
// Not thread-safe.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/process_launcher.h"
#include "agent/running_state.h"
#include "agent/stdout_metric_parser.h"
#include "agent/stop_sequence.h"
#include "agent/trial_cgroup.h"
#include "agent/trial_environment.h"
#include "agent/trial_socket.h"
#include "agent/trial_user.h"
#include "base/clock.h"
#include "protocol/messages.h"

namespace labsweep::agent {

// What every trial of one agent shares.
struct TrialSetup {
  std::filesystem::path work_dir;  // trials go to <work_dir>/trials/<trial_id>[-<attempt>]/
  // A short directory for sockets whose path in the trial directory would pass the 107 bytes a
  // Unix socket address holds.
  std::filesystem::path runtime_dir;
  Environment base_env;                                // the agent's own environment
  std::optional<std::filesystem::path> cgroup_parent;  // nullopt: marker-based ending only
  std::string cgroup_prefix = "labsweep-";             // names this agent's trial cgroups
  // labsweep-trial-shim, started in place of the command: it joins the cgroup before the
  // command runs and dies with the agent. nullopt: the command is started directly and moved
  // into the cgroup just after (a child it forks at once may stay outside; the marker still
  // finds it).
  std::optional<std::filesystem::path> shim;
  // The user trials run as (the agent running as root); nullopt: the agent's own. Needs the
  // shim, which takes the user's credentials before it executes the command.
  std::optional<TrialUser> user;
};

// Where labsweep-trial-shim is: next to the running binary or in ../lib/labsweep/ from it, or
// nullopt when it is not there.
std::optional<std::filesystem::path> find_trial_shim();

class TrialRunner {
 public:
  // Prepares the directory and socket and starts the command. Fails, saying why, when the
  // directory, params.json, the socket, the stdout regex or the launch fails; then nothing of
  // the trial is left running. `launcher` and `clock` must outlive the runner.
  static Result<std::unique_ptr<TrialRunner>> start(const protocol::Assign& assign,
                                                    const TrialSetup& setup,
                                                    ProcessLauncher& launcher, const Clock& clock);
  // Kills whatever of the trial is still running.
  ~TrialRunner();
  TrialRunner(const TrialRunner&) = delete;
  TrialRunner& operator=(const TrialRunner&) = delete;

  int64_t trial_id() const { return assign_.trial_id; }
  const protocol::Assign& assign() const { return assign_; }
  const std::filesystem::path& dir() const { return dir_; }
  TrialSocket& socket() { return *socket_; }
  StdoutMetricParser* stdout_parser() { return stdout_parser_.get(); }  // null without a regex
  bool uses_cgroup() const { return cgroup_ != nullptr; }

  // Begins the stop sequence (notice, SIGTERM after stop_grace, SIGKILL after kill_delay);
  // later calls do nothing.
  void stop(const std::string& reason);
  bool stopping() const { return stop_reason_.has_value(); }

  // Escalates the stop sequence when due; once the leader has exited, ends every process left
  // (group, marker, cgroup) and returns its exit status. Never blocks for long.
  std::optional<ExitStatus> poll();
  std::optional<Clock::TimePoint> next_deadline() const { return stop_sequence_->next_deadline(); }
  // Readable when the leader exits (Process::exit_fd); -1: poll() must be called on a timer.
  int exit_fd() const { return process_->exit_fd(); }

  // The end of the trial's stderr, for TrialEnded.
  std::string stderr_tail() const;
  // What running.json keeps about it.
  const RunningTrial& record() const { return record_; }

 private:
  TrialRunner(protocol::Assign assign, std::filesystem::path dir)
      : assign_(std::move(assign)), dir_(std::move(dir)) {}
  Status prepare(const TrialSetup& setup, const Clock& clock);
  Status give_to_user(const TrialUser& user) const;
  Status launch(const TrialSetup& setup, ProcessLauncher& launcher, const Clock& clock);
  std::vector<std::string> shim_argv(const TrialSetup& setup) const;

  protocol::Assign assign_;
  std::filesystem::path dir_;
  std::unique_ptr<TrialSocket> socket_;
  std::unique_ptr<StdoutMetricParser> stdout_parser_;
  std::unique_ptr<TrialCgroup> cgroup_;  // destroyed after the process: kills what escaped
  std::unique_ptr<Process> process_;
  std::unique_ptr<StopSequence> stop_sequence_;
  std::optional<std::string> stop_reason_;
  std::optional<ExitStatus> exit_;
  RunningTrial record_;
};

// Creates <work_dir>/trials/<id>/, or <id>-2/, <id>-3/, ... when earlier attempts of the trial
// left theirs: an attempt never writes into another's files.
Result<std::filesystem::path> make_trial_dir(const std::filesystem::path& work_dir,
                                             int64_t trial_id);

// argv[0] as execvp would find it with `env`'s PATH, or a Status like the launcher's ("cannot
// start 'x': No such file or directory") when it is not an executable file.
Result<std::filesystem::path> resolve_command(const std::string& command, const Environment& env);

// The socket path for a trial directory: inside it when the path fits a Unix socket address,
// else in `runtime_dir`, named after the directory.
std::filesystem::path trial_socket_path(const std::filesystem::path& trial_dir,
                                        const std::filesystem::path& runtime_dir);

}  // namespace labsweep::agent
