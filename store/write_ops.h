#pragma once

// The operations a StoreWriter commits (store/store_writer.h), one struct each. `Output` is
// what a committed operation yields: its new row's id, a count, or nothing (void). Times are
// milliseconds since the epoch, given by the caller. Every field has a default, so designated
// initializers may leave out what does not apply.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"
#include "store/agent_state.h"
#include "store/ids.h"
#include "store/sweep_state.h"
#include "store/trial_output.h"
#include "store/trial_status.h"

namespace labsweep::store {

// A new sweep, running.
struct CreateSweep {
  using Output = SweepId;
  std::string name{};
  std::string method{};
  std::string spec_text{};  // the sweep file as submitted
  std::string directory{};  // where a relative `program:` is found; empty: as written
  int64_t seed = 0;
  int64_t created_ms = 0;
};

// Completed or stopped sets the sweep's finish time to `at_ms`; running (resume) clears it.
struct SetSweepState {
  using Output = void;
  SweepId sweep{};
  SweepState state = SweepState::kRunning;
  int64_t at_ms = 0;
};

// A new pending trial. A sweep has at most one trial per suggestion index.
struct AddTrial {
  using Output = TrialId;
  SweepId sweep{};
  int64_t suggestion_index = 0;
  std::string params_json{};  // stored as given; the store does not parse it
  int64_t created_ms = 0;
  // An id from ReserveTrialIds, so that the trial can be dispatched before this commits; none:
  // the store picks the next one.
  std::optional<TrialId> id{};
};

// Sets aside `count` trial ids (count >= 1) for AddTrial to use, none of them used or set aside
// before, not even by a reservation whose trials were never added: an id that was handed out
// (an agent may run it) is never given to another trial, across restarts too. Output: the first
// id; the block is [first, first + count).
struct ReserveTrialIds {
  using Output = TrialId;
  int64_t count = 0;
};

// Gives back the reserved ids from `first` on, none of which was handed out (an orderly
// shutdown), so that the next reservation continues the numbering without a gap.
struct ReleaseTrialIds {
  using Output = void;
  TrialId first{};
};

// An attempt begins: running on `agent`'s `gpus`, attempts + 1, the last attempt's outcome
// (exit code, signal, stderr tail, stop reason, finish time) cleared.
struct StartTrial {
  using Output = void;
  TrialId trial{};
  AgentId agent{};
  std::vector<int> gpus{};  // empty: a CPU slot
  int64_t started_ms = 0;
  // false: the attempt that was running goes on, re-adopted after the trial was requeued while
  // its agent was away; attempts are not counted again.
  bool new_attempt = true;
};

// The attempt ended with a final status (completed, failed, stopped or lost) and its outcome.
struct FinishTrial {
  using Output = void;
  TrialId trial{};
  TrialStatus status = TrialStatus::kCompleted;
  std::optional<int> exit_code{};
  std::optional<int> signal{};
  std::string stderr_tail{};
  std::string stop_reason{};
  int64_t finished_ms = 0;
};

// Back to pending, e.g. after its agent was lost: agent, GPUs and start time cleared; the
// attempt count and the last ended attempt's outcome kept.
struct RequeueTrial {
  using Output = void;
  TrialId trial{};
};

// An agent that said hello: added, or updated by name (its first-seen time kept).
struct RecordAgent {
  using Output = AgentId;
  std::string name{};  // unique, not empty
  std::string host{};
  std::string public_key{};
  std::string gpus_json = "[]";  // stored as given
  AgentState state = AgentState::kOnline;
  int64_t seen_ms = 0;  // first seen (when new) and last heartbeat
};

struct RecordHeartbeat {
  using Output = void;
  AgentId agent{};
  int64_t at_ms = 0;
  std::optional<std::string> gpus_json{};  // the GPU inventory, when it is sent along
};

struct SetAgentState {
  using Output = void;
  AgentId agent{};
  AgentState state = AgentState::kOnline;
};

struct MetricSample {
  TrialId trial{};
  std::string key{};  // not empty
  int64_t step = 0;
  double value = 0;  // NaN is kept (as NULL) and left out of min and max
  int64_t time_ms = 0;
};

// Points keyed by (trial, key, step): a point already stored is ignored, not counted again.
// Yields how many points were new. All-or-nothing: one bad sample fails the whole operation.
struct AddMetricPoints {
  using Output = int64_t;
  std::vector<MetricSample> points{};
};

struct AddEvent {
  using Output = EventId;
  int64_t time_ms = 0;
  std::optional<SweepId> sweep{};
  std::optional<TrialId> trial{};
  std::optional<AgentId> agent{};
  std::string kind{};
  std::string message{};
};

// Bytes the trial wrote to one of its streams, from byte `offset` of the file
// (store/trial_output.h). What is stored already of the stream is not stored again (a window the
// agent sent again); what falls out of the last kTrialOutputBytes is dropped. Yields how many bytes
// were new. A new attempt (StartTrial) starts the trial's output over.
struct AppendTrialOutput {
  using Output = int64_t;
  TrialId trial{};
  OutputStream stream = OutputStream::kStdout;
  int64_t offset = 0;
  std::string data{};
};

using WriteOp = std::variant<CreateSweep, SetSweepState, AddTrial, ReserveTrialIds, ReleaseTrialIds,
                             StartTrial, FinishTrial, RequeueTrial, RecordAgent, RecordHeartbeat,
                             SetAgentState, AddMetricPoints, AddEvent, AppendTrialOutput>;

// What a submitter receives for `Op`: Result<Op::Output>, or Status when there is no output.
template <typename T>
struct OutcomeFor {
  using type = Result<T>;
};
template <>
struct OutcomeFor<void> {
  using type = Status;
};
template <typename Op>
using Outcome = typename OutcomeFor<typename Op::Output>::type;

}  // namespace labsweep::store
