#pragma once

// Reading one row of each table into its record (store/records.h). Each kSelect... constant is
// the column list the matching read_... function expects, in order, for use in SELECTs. A
// value the schema's CHECKs would refuse (an edited file) is a kInternal error, not a crash.

#include <string_view>

#include "base/status.h"
#include "store/records.h"
#include "store/statement.h"

namespace labsweep::store {

inline constexpr std::string_view kSweepColumns =
    "id, name, method, spec_text, seed, state, created_ms, finished_ms, directory";
Result<SweepRecord> read_sweep(const Statement& row);

inline constexpr std::string_view kTrialColumns =
    "id, sweep_id, suggestion_index, params_json, status, agent_id, gpus_json, attempts, "
    "exit_code, signal, stderr_tail, stop_reason, created_ms, started_ms, finished_ms";
Result<TrialRecord> read_trial(const Statement& row);

// Columns: key name, count, last_step, last_value, min_value, min_step, max_value, max_step,
// starting at `first`.
MetricSummary read_summary(const Statement& row, int first);

inline constexpr std::string_view kAgentColumns =
    "id, name, host, public_key, gpus_json, state, first_seen_ms, last_heartbeat_ms";
Result<AgentRecord> read_agent(const Statement& row);

inline constexpr std::string_view kEventColumns =
    "id, time_ms, sweep_id, trial_id, agent_id, kind, message";
EventRecord read_event(const Statement& row);

}  // namespace labsweep::store
