#pragma once

// What the HTTP API (orchestrator/http_api.h) asks of the live orchestrator: everything that
// changes state, and the agent registry, which lives in memory. Reads of stored state go to the
// store's readers instead. The server implements it; tests use a fake. Every call comes from an
// HTTP thread, several at once: implementations must be thread-safe.
//
// Status codes the API maps (docs/http-api.md): kNotFound -> 404, kFailedPrecondition -> 409
// (e.g. resuming a completed sweep), kInvalidArgument -> 400, anything else -> 500.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/agent_state.h"
#include "store/ids.h"
#include "sweeps/diagnostic.h"

namespace labsweep::orchestrator {

// The outcome of a submission that was read: accepted (`sweep` set, `diagnostics` holding the
// warnings) or refused for errors in the file (`sweep` empty, `diagnostics` holding the errors
// and any warnings). A failure to record an accepted sweep is the Result's Status instead.
struct SubmitResult {
  std::optional<store::SweepId> sweep{};
  std::vector<sweeps::Diagnostic> diagnostics{};  // in file order
};

// One GPU as the agent last reported it, with what labsweep placed on it.
struct LiveGpu {
  int index = 0;
  std::string name{};
  int64_t memory_total_mb = 0;
  int64_t memory_used_by_others_mb = 0;
  bool used_by_others = false;               // a process outside labsweep's trials runs on it
  std::optional<int64_t> memory_used_mb{};   // by everyone; nullopt: the agent did not say
  std::optional<int> utilization_percent{};  // 0..100; nullopt: the agent did not say
  std::vector<store::TrialId> trials{};      // labsweep's trials on it now
  bool free = false;                         // the scheduler may place a trial on it now
};

// A trial running on an agent, with its sweep, so that a view of the agent can name both.
struct LiveAgentTrial {
  store::TrialId trial{};
  store::SweepId sweep{};
  std::vector<int> gpus{};  // empty: a CPU slot
};

// One agent in the registry.
struct LiveAgent {
  store::AgentId id{};
  std::string name{};
  std::string host{};
  store::AgentState state = store::AgentState::kOnline;
  std::vector<LiveGpu> gpus{};
  int slots_per_gpu = 1;
  int cpu_slots = 0;
  int slots_total = 0;  // GPU slots and CPU slots together
  int slots_used = 0;
  std::vector<store::TrialId> running_trials{};
  int64_t last_heartbeat_ms = 0;          // wall clock, milliseconds since the epoch
  std::vector<LiveAgentTrial> running{};  // running_trials with their sweeps and GPUs
};

// A sweep file handed to the orchestrator.
struct SweepSubmission {
  std::string text{};                    // the sweep file
  std::string file_name = "sweep.yaml";  // for messages only
  std::optional<std::string> name{};     // overrides the file's `name:`
  // Where a relative `program:` is found: the absolute path of the sweep file's directory on
  // the machine it was submitted from (trials run in directories of their own, so a relative
  // path would mean nothing there). Empty: the program is used as written.
  std::string directory{};
};

class SweepControl {
 public:
  virtual ~SweepControl() = default;

  // Reads and validates the sweep file and, when it has no errors, records a running sweep
  // and starts it.
  virtual Result<SubmitResult> submit_sweep(SweepSubmission submission) = 0;

  // Ends a running sweep: no new trials, its running trials are stopped. Stopping a sweep that
  // is already stopped or completed is ok (idempotent). kNotFound for an unknown sweep.
  virtual Status stop_sweep(store::SweepId sweep) = 0;
  // Resumes a stopped sweep; kFailedPrecondition when it is completed (nothing left to run)
  // and ok when it is already running. kNotFound for an unknown sweep.
  virtual Status resume_sweep(store::SweepId sweep) = 0;
  // Stops a pending or running trial (its process ends as `stopped`); kFailedPrecondition when
  // the trial has already ended. kNotFound for an unknown trial.
  virtual Status stop_trial(store::TrialId trial) = 0;

  // Every agent the registry knows, by name.
  virtual std::vector<LiveAgent> agents() = 0;
};

}  // namespace labsweep::orchestrator
