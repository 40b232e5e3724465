#pragma once

// What the store's readers return: one struct per kind of row (docs/storage.md). Times are
// milliseconds since the epoch as the writers gave them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/agent_state.h"
#include "store/ids.h"
#include "store/sweep_state.h"
#include "store/trial_status.h"

namespace labsweep::store {

struct SweepRecord {
  SweepId id{};
  std::string name{};
  std::string method{};
  std::string spec_text{};  // the sweep file as submitted
  std::string directory{};  // where a relative `program:` is found; empty: as written
  int64_t seed = 0;
  SweepState state = SweepState::kRunning;
  int64_t created_ms = 0;
  std::optional<int64_t> finished_ms{};  // set while completed or stopped
  friend bool operator==(const SweepRecord&, const SweepRecord&) = default;
};

// How many of a sweep's trials are in each status.
struct TrialCounts {
  std::array<int64_t, kAllTrialStatuses.size()> by_status{};
  int64_t of(TrialStatus status) const { return by_status[static_cast<size_t>(status)]; }
  int64_t total() const;
  friend bool operator==(const TrialCounts&, const TrialCounts&) = default;
};

struct SweepOverview {
  SweepRecord sweep{};
  TrialCounts trials{};
  friend bool operator==(const SweepOverview&, const SweepOverview&) = default;
};

struct TrialRecord {
  TrialId id{};
  SweepId sweep{};
  int64_t suggestion_index = 0;  // which proposal of the sweep's search method this is
  std::string params_json{};     // stored as given
  TrialStatus status = TrialStatus::kPending;
  std::optional<AgentId> agent{};  // the agent of the current or last attempt
  std::vector<int> gpus{};         // empty: none assigned, or a CPU slot
  int64_t attempts = 0;
  std::optional<int> exit_code{};
  std::optional<int> signal{};
  std::string stderr_tail{};
  std::string stop_reason{};
  int64_t created_ms = 0;
  std::optional<int64_t> started_ms{};
  std::optional<int64_t> finished_ms{};
  friend bool operator==(const TrialRecord&, const TrialRecord&) = default;
};

struct MetricExtreme {
  double value = 0;
  int64_t step = 0;  // the lowest step at which the value was reached
  friend bool operator==(const MetricExtreme&, const MetricExtreme&) = default;
};

// One metric of one trial, kept current as points are committed.
struct MetricSummary {
  std::string key{};
  int64_t count = 0;                   // distinct steps recorded
  int64_t last_step = 0;               // the highest step, whatever order the points came in
  double last_value = 0;               // the value at last_step (may be NaN)
  std::optional<MetricExtreme> min{};  // NaN values are not compared; absent while all are NaN
  std::optional<MetricExtreme> max{};
  friend bool operator==(const MetricSummary&, const MetricSummary&) = default;
};

struct TrialView {
  TrialRecord trial{};
  std::vector<MetricSummary> summaries{};  // ordered by key
  friend bool operator==(const TrialView&, const TrialView&) = default;
};

struct MetricPoint {
  int64_t step = 0;
  double value = 0;  // NaN when the trial reported NaN
  int64_t time_ms = 0;
  friend bool operator==(const MetricPoint&, const MetricPoint&) = default;
};

struct AgentRecord {
  AgentId id{};
  std::string name{};
  std::string host{};
  std::string public_key{};
  std::string gpus_json{};  // the agent's GPU inventory, stored as given
  AgentState state = AgentState::kOnline;
  int64_t first_seen_ms = 0;
  int64_t last_heartbeat_ms = 0;
  friend bool operator==(const AgentRecord&, const AgentRecord&) = default;
};

struct EventRecord {
  EventId id{};
  int64_t time_ms = 0;
  std::optional<SweepId> sweep{};
  std::optional<TrialId> trial{};
  std::optional<AgentId> agent{};
  std::string kind{};
  std::string message{};
  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

inline int64_t TrialCounts::total() const {
  int64_t sum = 0;
  for (int64_t count : by_status) sum += count;
  return sum;
}

}  // namespace labsweep::store
