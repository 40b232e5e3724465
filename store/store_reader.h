#pragma once

// The queries of the CLI and the dashboard, on a read-only connection of its own. WAL lets it
// read while the writer commits: it sees the last committed state and never waits for the
// writer. Each call reads one consistent snapshot. Thread-safe; calls on one reader take turns,
// so open one per thread that reads in parallel.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "store/ids.h"
#include "store/records.h"
#include "store/trial_output.h"
#include "store/trial_status.h"

namespace labsweep::store {

struct ReaderOptions {
  std::chrono::milliseconds busy_timeout{5000};
};

struct TrialFilter {
  std::optional<TrialStatus> status{};  // only trials in this status
  TrialId after{};                      // only trials with a greater id (paging); {0}: all
  std::optional<int64_t> limit{};       // at most this many
};

// Which end of a metric is best.
enum class MetricGoal { kMinimize, kMaximize };

// A sweep's trials ranked by one metric: each trial by its best value of it (its lowest for
// kMinimize, its highest for kMaximize; NaN never counts), best first, ties in trial id order;
// then the trials without a finite value of it, in id order.
struct BestTrialsQuery {
  std::string metric{};
  MetricGoal goal = MetricGoal::kMinimize;
  int64_t offset = 0;              // skip this many of the ranking (paging)
  std::optional<int64_t> limit{};  // at most this many
};

// The best value a sweep's trials reached of one metric, and where it was first reached.
struct BestValue {
  double value = 0;
  TrialId trial{};   // the lowest trial id on ties
  int64_t step = 0;  // the lowest step at which that trial reached it
  friend bool operator==(const BestValue&, const BestValue&) = default;
};

struct EventFilter {
  EventId after{};                 // only events after this cursor; {0}: from the first
  std::optional<SweepId> sweep{};  // only events about this sweep
  std::optional<TrialId> trial{};  // only events about this trial
  std::optional<int64_t> limit{};  // at most this many
};

class StoreReader {
 public:
  // Opens an existing database, which must be at this build's schema version (the writer
  // migrates it; open the writer first).
  static Result<std::unique_ptr<StoreReader>> open(const std::filesystem::path& path,
                                                   ReaderOptions options = {});
  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  // Every sweep, oldest first, with its trials counted by status.
  Result<std::vector<SweepOverview>> sweeps() EXCLUDES(mu_);
  // kNotFound when there is no such sweep.
  Result<SweepOverview> sweep(SweepId id) EXCLUDES(mu_);

  // A sweep's trials in id order, each with the summaries of its metrics (never the points).
  // kNotFound when there is no such sweep.
  Result<std::vector<TrialView>> trials(SweepId sweep, const TrialFilter& filter = {})
      EXCLUDES(mu_);
  // kNotFound when there is no such trial.
  Result<TrialView> trial(TrialId id) EXCLUDES(mu_);

  // A sweep's trials in the order of `query`, with their summaries. An index range, not a scan
  // of the sweep: the cost grows with offset + limit, not with the sweep's size (but for the
  // trials without a value, which are found by walking the sweep's trials in id order).
  // kNotFound when there is no such sweep.
  Result<std::vector<TrialView>> best_trials(SweepId sweep, const BestTrialsQuery& query)
      EXCLUDES(mu_);
  // nullopt when no trial of the sweep has a finite value of `metric`. kNotFound when there is
  // no such sweep.
  Result<std::optional<BestValue>> best_value(SweepId sweep, std::string_view metric,
                                              MetricGoal goal) EXCLUDES(mu_);

  // One metric of a trial in step order, from `from_step` on; empty when the trial never
  // reported it. kNotFound when there is no such trial.
  Result<std::vector<MetricPoint>> metric_series(TrialId trial, std::string_view key,
                                                 std::optional<int64_t> from_step = std::nullopt)
      EXCLUDES(mu_);

  // Every agent, by name.
  Result<std::vector<AgentRecord>> agents() EXCLUDES(mu_);

  // Events in the order they were committed.
  Result<std::vector<EventRecord>> events(const EventFilter& filter = {}) EXCLUDES(mu_);

  // The kept end of a trial's stdout or stderr (store/trial_output.h). kNotFound when there is
  // no such trial.
  Result<OutputTail> trial_output(TrialId trial, OutputStream stream) EXCLUDES(mu_);

 private:
  struct Session;  // the connection and its prepared statements

  explicit StoreReader(std::unique_ptr<Session> session);

  mutable Mutex mu_;
  const std::unique_ptr<Session> session_ PT_GUARDED_BY(mu_);
};

}  // namespace labsweep::store
