#pragma once

// A program running beside the test (a server, an agent), with its output going to files the
// test can read while it runs. Killed with its whole process group when the object goes away.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace labsweep::testing {

class BackgroundProcess {
 public:
  // Starts `argv` (argv[0] a path) in a new process group; its stdout and stderr go to
  // `log_prefix`.out and `log_prefix`.err. Throws when it cannot be started.
  BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_prefix);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  int pid() const { return pid_; }
  void signal(int signal) const;
  // Waits up to `timeout` for the process to exit; its exit code (128 + signal when a signal
  // ended it), or nullopt when it is still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  std::string out() const;
  std::string err() const;
  // Waits up to `timeout` until stderr contains `text`; false when it never did (or the
  // process exited first).
  bool wait_for_err(const std::string& text, std::chrono::milliseconds timeout);

 private:
  int pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

}  // namespace labsweep::testing
