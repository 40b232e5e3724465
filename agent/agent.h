#pragma once

// The agent: one per machine, between the orchestrator and the trials it runs there
// (docs/agent.md, "The agent's loop"). A single-threaded loop waits on the DEALER socket, the
// trials' metrics sockets and a wake-up eventfd, with a timeout set by the next deadline
// (heartbeat, stop sequences, metric flush, decision timeouts, child-exit polling).
// `labsweep agent` and `labsweep run` create it with the real clock, launcher and inventory.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "agent/gpu_inventory.h"
#include "agent/metric_batcher.h"
#include "agent/outbox.h"
#include "agent/output_watch.h"
#include "agent/process_launcher.h"
#include "agent/running_state.h"
#include "agent/server_link.h"
#include "agent/slot_pool.h"
#include "agent/trial_runner.h"
#include "agent/trial_user.h"
#include "base/clock.h"
#include "base/status.h"

namespace labsweep::agent {

struct AgentOptions {
  enum class Cgroups { kAuto, kOff };

  std::string server_endpoint;           // "tcp://head:5555", "ipc:///run/labsweep.sock"
  std::string name;                      // empty: the host name
  std::filesystem::path work_dir;        // trial directories go to <work_dir>/trials/
  std::filesystem::path state_dir;       // empty: <work_dir>/.labsweep-agent
  std::optional<std::vector<int>> gpus;  // --gpus; nullopt: every GPU
  int slots_per_gpu = 1;
  std::optional<int> cpu_slots;  // nullopt: none on a machine with GPUs, else one per core
  int64_t others_memory_threshold_mb = SlotOptions::kDefaultOthersMemoryThresholdMb;
  LinkTimings link;
  // Required unless the endpoint is loopback: the agent never talks plaintext over a network.
  std::optional<CurveClient> curve;
  std::chrono::milliseconds decision_timeout{10'000};  // then a trial's query gets "continue"
  std::chrono::milliseconds child_poll_interval{20};   // how often trials' exits are looked for
  size_t metric_batch_points = 512;                    // a trial's points per Metrics message
  std::chrono::milliseconds metric_batch_delay{50};    // the longest a point waits to be sent
  size_t outbox_memory_bytes = 64 << 20;               // beyond it, the outbox spills to disk
  Cgroups cgroups = Cgroups::kAuto;                    // kAuto: where the agent may make them
  OutputLimits output;  // how the trials' stdout and stderr are followed (TrialOutput)
  // labsweep-trial-shim (trial_runner.h); nullopt: the one next to the running binary, if any.
  std::optional<std::filesystem::path> trial_shim;
  // The user trials run as, for an agent running as root (trial_user.h); nullopt: the agent's.
  std::optional<TrialUser> trial_user;
};

// Counters for logs and tests.
struct AgentCounters {
  uint64_t trials_started = 0;
  uint64_t trials_ended = 0;
  uint64_t trials_refused = 0;   // Assigns answered with a TrialEnded without starting
  uint64_t assigns_waited = 0;   // Assigns that waited for a stopping trial to free its slots
  uint64_t stops = 0;            // Stops received for running trials
  uint64_t leftovers_ended = 0;  // trials a previous run of the agent left running
  uint64_t decisions_timed_out = 0;
  uint64_t rejected_lines = 0;  // malformed lines from trials
};

class Agent {
 public:
  // Checks the options, takes the state directory (one agent per state directory), ends and
  // queues TrialEnded for what a previous run left (running.json), connects to the
  // orchestrator and queues the hello (fails on a malformed endpoint; an orchestrator that is
  // not there yet is waited for by the loop). `clock`, `launcher` and `inventory` must outlive the
  // agent.
  static Result<std::unique_ptr<Agent>> create(AgentOptions options, const Clock& clock,
                                               ProcessLauncher& launcher, GpuInventory& inventory);
  // Kills the trials still running (their processes, groups and cgroups).
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs the loop until request_stop().
  void run();
  // One turn of the loop, waiting at most `max_wait` for something to happen. For tests that
  // drive the agent on a fake clock; run() is this in a loop.
  void run_once(std::chrono::milliseconds max_wait);
  // Makes run() return soon. Thread-safe and async-signal-safe.
  void request_stop();

  const AgentCounters& counters() const { return counters_; }
  const Outbox& outbox() const { return *outbox_; }
  const ServerLink& link() const { return link_; }
  std::vector<int64_t> running_trials() const;
  // The directory of a running trial, or nullopt.
  std::optional<std::filesystem::path> trial_dir(int64_t trial_id) const;

 private:
  struct PendingQuery {
    int64_t trial_id = 0;
    QueryId id;
    Clock::TimePoint deadline;
  };

  Agent(AgentOptions options, const Clock& clock, ProcessLauncher& launcher,
        GpuInventory& inventory, SlotOptions slot_options, std::unique_ptr<Outbox> outbox);
  Status prepare();
  Status run_trials_as(const TrialUser& user);
  void end_leftovers();

  void wait(std::chrono::milliseconds max_wait);
  std::optional<Clock::TimePoint> next_deadline() const;
  Status connect();
  void keep_link();
  void sample_gpus();
  void handle_server();
  void on_assign(const protocol::Assign& assign);
  bool held_by_stopping_trial(const std::vector<int>& gpus) const;
  void start_waiting();
  void refuse_waiting(const std::string& why);
  void refuse(int64_t trial_id, const std::string& why);
  void on_stop(const protocol::Stop& stop);
  void on_decision(const protocol::Decision& decision);
  void service_trials();
  void take_events(TrialRunner& trial, std::vector<TrialSocketEvent> events);
  void add_report(int64_t trial_id, const TrialReport& report);
  void on_query(TrialRunner& trial, const ReceivedQuery& query);
  void answer_all(TrialRunner& trial, const StopDecision& decision);
  void reap_trials();
  void finish_trial(TrialRunner& trial, ExitStatus status);
  void expire_queries();
  void flush_metrics(int64_t trial_id);
  void send_output(std::vector<protocol::TrialOutput> chunks);
  void send_outbox();

  AgentOptions options_;
  const Clock& clock_;
  ProcessLauncher& launcher_;
  GpuInventory& inventory_;
  std::string host_;
  zmq::context_t context_;
  ServerLink link_;
  std::unique_ptr<Outbox> outbox_;
  MetricBatcher batcher_;
  OutputWatch output_;
  SlotPool slots_;
  RunningState running_;
  TrialSetup setup_;
  std::map<int64_t, std::unique_ptr<TrialRunner>> trials_;
  // Assigns for slots that a trial being stopped still holds, started when it has ended: the
  // orchestrator counts a slot free once it has asked for the stop (a trial it re-placed
  // elsewhere while this agent was presumed lost), the agent only once the trial is gone.
  std::vector<protocol::Assign> waiting_;
  std::map<uint64_t, PendingQuery> queries_;  // by the Decide's query number
  uint64_t next_query_ = 1;
  int wake_fd_ = -1;  // eventfd written by request_stop()
  int lock_fd_ = -1;  // flock on <state_dir>/agent.lock
  std::atomic<bool> stop_requested_{false};
  AgentCounters counters_;
};

}  // namespace labsweep::agent
