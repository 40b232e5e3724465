#include "store/record_rows.h"

#include <string>

#include "store/gpu_list.h"

namespace labsweep::store {
namespace {

Status malformed(std::string_view what, int64_t id, std::string_view column,
                 std::string_view value) {
  return Status(StatusCode::kInternal, std::string(what) + " " + std::to_string(id) + ": bad " +
                                           std::string(column) + " '" + std::string(value) + "'");
}

template <typename Id>
std::optional<Id> optional_id(const Statement& row, int column) {
  std::optional<int64_t> value = row.optional_int64(column);
  if (!value) return std::nullopt;
  return Id{*value};
}

std::optional<int> optional_int(const Statement& row, int column) {
  std::optional<int64_t> value = row.optional_int64(column);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

std::optional<MetricExtreme> extreme(const Statement& row, int value_column, int step_column) {
  if (row.is_null(value_column)) return std::nullopt;
  return MetricExtreme{row.real(value_column), row.int64(step_column)};
}

}  // namespace

Result<SweepRecord> read_sweep(const Statement& row) {
  SweepRecord sweep;
  sweep.id = SweepId{row.int64(0)};
  sweep.name = row.text(1);
  sweep.method = row.text(2);
  sweep.spec_text = row.text(3);
  sweep.seed = row.int64(4);
  std::string state = row.text(5);
  std::optional<SweepState> parsed = parse_sweep_state(state);
  if (!parsed) return malformed("sweep", sweep.id.value, "state", state);
  sweep.state = *parsed;
  sweep.created_ms = row.int64(6);
  sweep.finished_ms = row.optional_int64(7);
  sweep.directory = row.text(8);
  return sweep;
}

Result<TrialRecord> read_trial(const Statement& row) {
  TrialRecord trial;
  trial.id = TrialId{row.int64(0)};
  trial.sweep = SweepId{row.int64(1)};
  trial.suggestion_index = row.int64(2);
  trial.params_json = row.text(3);
  std::string status = row.text(4);
  std::optional<TrialStatus> parsed = parse_trial_status(status);
  if (!parsed) return malformed("trial", trial.id.value, "status", status);
  trial.status = *parsed;
  trial.agent = optional_id<AgentId>(row, 5);
  std::string gpus_json = row.text(6);
  std::optional<std::vector<int>> gpus = gpus_from_json(gpus_json);
  if (!gpus) return malformed("trial", trial.id.value, "gpus_json", gpus_json);
  trial.gpus = std::move(*gpus);
  trial.attempts = row.int64(7);
  trial.exit_code = optional_int(row, 8);
  trial.signal = optional_int(row, 9);
  trial.stderr_tail = row.text(10);
  trial.stop_reason = row.text(11);
  trial.created_ms = row.int64(12);
  trial.started_ms = row.optional_int64(13);
  trial.finished_ms = row.optional_int64(14);
  return trial;
}

MetricSummary read_summary(const Statement& row, int first) {
  MetricSummary summary;
  summary.key = row.text(first);
  summary.count = row.int64(first + 1);
  summary.last_step = row.int64(first + 2);
  summary.last_value = row.real(first + 3);
  summary.min = extreme(row, first + 4, first + 5);
  summary.max = extreme(row, first + 6, first + 7);
  return summary;
}

Result<AgentRecord> read_agent(const Statement& row) {
  AgentRecord agent;
  agent.id = AgentId{row.int64(0)};
  agent.name = row.text(1);
  agent.host = row.text(2);
  agent.public_key = row.text(3);
  agent.gpus_json = row.text(4);
  std::string state = row.text(5);
  std::optional<AgentState> parsed = parse_agent_state(state);
  if (!parsed) return malformed("agent", agent.id.value, "state", state);
  agent.state = *parsed;
  agent.first_seen_ms = row.int64(6);
  agent.last_heartbeat_ms = row.int64(7);
  return agent;
}

EventRecord read_event(const Statement& row) {
  EventRecord event;
  event.id = EventId{row.int64(0)};
  event.time_ms = row.int64(1);
  event.sweep = optional_id<SweepId>(row, 2);
  event.trial = optional_id<TrialId>(row, 3);
  event.agent = optional_id<AgentId>(row, 4);
  event.kind = row.text(5);
  event.message = row.text(6);
  return event;
}

}  // namespace labsweep::store
