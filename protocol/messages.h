#pragma once

// The messages between the orchestrator (ROUTER) and each agent (DEALER); docs/protocol.md
// specifies them. Agent messages that carry data (metrics, trial started, trial ended) have a
// sequence number; the orchestrator acknowledges them only after they are committed, and the
// agent resends what is unacknowledged after a reconnect.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace labsweep::protocol {

inline constexpr int kProtocolVersion = 1;

struct GpuState {
  int index = 0;
  std::string name;
  int64_t memory_total_mb = 0;
  int64_t memory_used_by_others_mb = 0;
  bool used_by_others = false;  // a process outside labsweep's trials runs on it
  // For people (the dashboard), not for placement; absent from agents that do not send them.
  std::optional<int64_t> memory_used_mb{};   // by everyone, labsweep's trials included
  std::optional<int> utilization_percent{};  // 0..100; absent where the driver cannot tell
  friend bool operator==(const GpuState&, const GpuState&) = default;
};

// Agent -> orchestrator, first on every connection.
struct Hello {
  std::string agent_name;
  std::string host;
  std::vector<GpuState> gpus;
  int cpu_slots = 0;
  int slots_per_gpu = 1;
  std::vector<int64_t> running_trials;  // re-adopted, not restarted
  friend bool operator==(const Hello&, const Hello&) = default;
};

// Orchestrator -> agent, the answer to Hello.
struct Welcome {
  std::chrono::milliseconds heartbeat_interval{1000};
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

// Both ways; the agent's carries the current state of its GPUs.
struct Heartbeat {
  std::vector<GpuState> gpus;
  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

// Orchestrator -> agent: run this trial.
struct Assign {
  int64_t trial_id = 0;
  int64_t sweep_id = 0;
  std::vector<std::string> argv;                         // executed directly, never through a shell
  std::vector<std::pair<std::string, std::string>> env;  // added to the trial environment
  std::vector<int> gpus;                                 // empty: a CPU slot
  std::string params_json;
  std::string stdout_regex;  // empty: metrics come through the trial socket only
  std::chrono::milliseconds stop_grace{30'000};
  std::chrono::milliseconds kill_delay{30'000};
  friend bool operator==(const Assign&, const Assign&) = default;
};

// Orchestrator -> agent: end this trial (stop notice, then SIGTERM, then SIGKILL).
struct Stop {
  int64_t trial_id = 0;
  std::string reason;
  friend bool operator==(const Stop&, const Stop&) = default;
};

struct MetricPoint {
  int64_t step = 0;
  std::string name;
  double value = 0;
  int64_t time_ms = 0;  // milliseconds since the epoch, on the agent's clock
  friend bool operator==(const MetricPoint&, const MetricPoint&) = default;
};

// Agent -> orchestrator.
struct Metrics {
  uint64_t seq = 0;
  int64_t trial_id = 0;
  std::vector<MetricPoint> points;
  friend bool operator==(const Metrics&, const Metrics&) = default;
};

// Agent -> orchestrator.
struct TrialStarted {
  uint64_t seq = 0;
  int64_t trial_id = 0;
  int64_t time_ms = 0;
  friend bool operator==(const TrialStarted&, const TrialStarted&) = default;
};

// Agent -> orchestrator.
struct TrialEnded {
  uint64_t seq = 0;
  int64_t trial_id = 0;
  int exit_code = 0;     // meaningful when signal == 0
  int signal = 0;        // the signal that ended it, or 0
  bool stopped = false;  // ended because the orchestrator asked
  std::string stderr_tail;
  int64_t time_ms = 0;
  friend bool operator==(const TrialEnded&, const TrialEnded&) = default;
};

// Orchestrator -> agent: every data message with a sequence number up to `seq` is committed.
struct Ack {
  uint64_t seq = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};

// Agent -> orchestrator: a trial asks for the early-stopping decision on its reports up to
// `step`. The agent sends every report the trial made before the query ahead of it, and a
// connection delivers in order, so those reports are part of what is decided on.
struct Decide {
  uint64_t query = 0;  // chosen by the agent, repeated in the answer
  int64_t trial_id = 0;
  int64_t step = 0;
  friend bool operator==(const Decide&, const Decide&) = default;
};

// Orchestrator -> agent: the answer to Decide. A stop decision is followed by a Stop.
struct Decision {
  uint64_t query = 0;
  int64_t trial_id = 0;
  int64_t step = 0;
  bool stop = false;
  std::string reason;  // why it stops; empty when it continues
  friend bool operator==(const Decision&, const Decision&) = default;
};

// Agent -> orchestrator: bytes a running trial wrote to its stdout.log or stderr.log, from byte
// `offset` of the file. Not a data message: no sequence number, never kept or resent; output is
// a view of the trial, its metrics are the record. A gap between what came before and `offset`
// is output the agent skipped to keep up (docs/protocol.md, "Trial output").
struct TrialOutput {
  enum class Stream { kStdout, kStderr };
  int64_t trial_id = 0;
  Stream stream = Stream::kStdout;
  int64_t offset = 0;  // of data's first byte in the file
  std::string data;    // raw bytes, not necessarily UTF-8, nor cut at a character's boundary
  friend bool operator==(const TrialOutput&, const TrialOutput&) = default;
};

using Message = std::variant<Hello, Welcome, Heartbeat, Assign, Stop, Metrics, TrialStarted,
                             TrialEnded, Ack, Decide, Decision, TrialOutput>;

// The message's type as it is written on the wire ("hello", "assign", ...).
const char* type_name(const Message& message);

}  // namespace labsweep::protocol
