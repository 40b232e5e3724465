#pragma once

// A lab on loopback for the integration tests: `labsweep server` and any number of
// `labsweep agent` processes, the real binaries, talking over real sockets, with trials that are
// real child processes. Everything lives in one temporary directory.

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/api_client.h"
#include "tests/support/background_process.h"
#include "tests/support/temp_dir.h"

namespace labsweep::testing {

class Lab {
 public:
  static constexpr std::chrono::milliseconds kHeartbeat{250};

  Lab();

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string db() const { return (dir() / "lab.db").string(); }

  // Starts the server; `agent_port` 0 picks a free one (kept across restarts).
  void start_server(int agent_port = 0);
  // For the servers started from now on: the agent endpoint's host (default 127.0.0.1) and
  // options added to `labsweep server` (e.g. --key-dir, --curve-on-loopback).
  void set_agent_host(std::string host) { agent_host_ = std::move(host); }
  void set_server_args(std::vector<std::string> args) { server_args_ = std::move(args); }
  BackgroundProcess& server() { return *server_; }
  void kill_server();
  // What the n-th server started (from 1) wrote to stderr.
  std::string server_log(int n) const;
  const std::string& agent_endpoint() const { return agent_endpoint_; }

  // `wrapper` comes before the binary (e.g. `ip netns exec NS`).
  BackgroundProcess& start_agent(const std::string& name, std::vector<std::string> extra = {},
                                 std::vector<std::string> wrapper = {});
  BackgroundProcess& agent(const std::string& name) { return *agents_.at(name); }

  cli::ApiClient& api() { return *api_; }
  // Submits a sweep file through the API; fails the test on refusal.
  int64_t submit(const std::string& yaml);
  // Polls GET /sweeps/{id} until its state is `state`; the last answer.
  nlohmann::json wait_for_sweep(int64_t sweep, const std::string& state,
                                std::chrono::seconds timeout = std::chrono::seconds(60));
  // Polls until `count` trials of the sweep are running.
  void wait_for_running(int64_t sweep, int count,
                        std::chrono::seconds timeout = std::chrono::seconds(30));
  nlohmann::json trials(int64_t sweep);

  // The path of the integration tests' trial program (tests/integration/trials/report.py).
  static std::string trial_program();
  // A file the trials append a line to ("trial 3 pid 1234 gpus 0").
  std::string trial_log() const { return (dir() / "trials.log").string(); }
  std::vector<std::string> trial_log_lines() const;

 private:
  TempDir dir_;
  std::unique_ptr<BackgroundProcess> server_;
  int server_starts_ = 0;
  std::string agent_endpoint_;
  std::string agent_host_ = "127.0.0.1";
  std::vector<std::string> server_args_;
  std::map<std::string, std::unique_ptr<BackgroundProcess>> agents_;
  std::unique_ptr<cli::ApiClient> api_;
};

// Whether a process with this pid still exists (a zombie counts as gone).
bool process_alive(int pid);

}  // namespace labsweep::testing
