// Early stopping: each sweep's stopping rule is fed its running trials' reports as they arrive,
// and a stop verdict stops the trial. After a restart the rule is rebuilt from the store.

#include <algorithm>
#include <utility>

#include "orchestrator/core.h"

namespace labsweep::orchestrator {
namespace {

struct StoredReport {
  int64_t step = 0;
  std::string metric{};
  double value = 0;
};

}  // namespace

std::unique_ptr<sweeps::StoppingRule> Core::make_stopping_rule(
    const sweeps::SweepSpec& spec) const {
  if (options_.stopping_rules) return options_.stopping_rules(spec);
  return sweeps::make_stopping_rules(spec);
}

void Core::attach_stopping_rule(LiveSweep& sweep) const {
  sweep.stopping_rule = make_stopping_rule(*sweep.spec);
  sweep.watched.clear();
  if (!sweep.stopping_rule) return;
  for (std::string& metric : sweep.stopping_rule->metrics())
    sweep.watched.insert(std::move(metric));
}

void Core::judge(const AgentEntry& agent, const protocol::Metrics& metrics) {
  auto it = trials_.find(store::TrialId{metrics.trial_id});
  if (it == trials_.end()) return;
  LiveTrial& trial = it->second;
  // Only a running trial's own reports; one being stopped is judged no more.
  if (trial.phase != TrialPhase::kRunning || trial.agent != agent.name || trial.stopping) return;
  LiveSweep& sweep = sweeps_.at(trial.sweep);
  if (!sweep.stopping_rule) return;
  for (const protocol::MetricPoint& point : metrics.points) {
    std::optional<sweeps::StopVerdict> verdict =
        feed(sweep, trial, point.name, point.step, point.value);
    if (verdict && verdict->stop) return stop_early(trial, std::move(verdict->reason));
  }
}

std::optional<sweeps::StopVerdict> Core::feed(LiveSweep& sweep, LiveTrial& trial,
                                              const std::string& metric, int64_t step,
                                              double value) {
  if (!sweep.watched.contains(metric)) return std::nullopt;
  auto [last, first] = trial.fed_steps.try_emplace(metric, step);
  if (!first) {
    // The store keeps the first point of a (trial, metric, step); a resent batch, or a retried
    // attempt going over its steps again, brings nothing new to judge.
    if (step <= last->second) return std::nullopt;
    last->second = step;
  }
  return sweep.stopping_rule->report(
      sweeps::Report{.trial = trial.id.value, .metric = metric, .step = step, .value = value});
}

void Core::stop_early(LiveTrial& trial, std::string reason) {
  std::optional<store::AgentId> agent_id;
  if (AgentEntry* agent = agent_named(trial.agent)) agent_id = agent->id;
  event("trial_early_stopped",
        "trial " + std::to_string(trial.id.value) + " stopped early: " + reason, trial.sweep,
        trial.id, agent_id);
  send_stop(trial, std::move(reason));
}

void Core::rule_trial_ended(LiveSweep& sweep, const LiveTrial& trial) {
  // A trial the rule never heard of is nothing to it.
  if (sweep.stopping_rule && !trial.fed_steps.empty())
    sweep.stopping_rule->trial_ended(trial.id.value);
}

Status Core::replay_reports(LiveSweep& sweep, const std::vector<store::TrialView>& trials) {
  if (!sweep.stopping_rule) return Status::ok();
  for (const store::TrialView& view : trials) {
    const store::TrialRecord& t = view.trial;
    std::vector<StoredReport> reports;
    for (const std::string& metric : sweep.watched) {
      Result<std::vector<store::MetricPoint>> series = reader_.metric_series(t.id, metric);
      if (!series) return series.status();
      for (const store::MetricPoint& point : *series)
        reports.push_back({.step = point.step, .metric = metric, .value = point.value});
    }
    // Each metric's series is in step order; merged by step, metrics by name on a tie.
    std::stable_sort(reports.begin(), reports.end(),
                     [](const StoredReport& a, const StoredReport& b) { return a.step < b.step; });
    auto live = trials_.find(t.id);
    LiveTrial replayed{.id = t.id, .sweep = t.sweep};
    LiveTrial& trial = live != trials_.end() ? live->second : replayed;
    // As live: a trial's reports after its stop verdict were not fed.
    std::optional<std::string> stop;
    for (size_t i = 0; i < reports.size() && !stop; ++i) {
      std::optional<sweeps::StopVerdict> verdict =
          feed(sweep, trial, reports[i].metric, reports[i].step, reports[i].value);
      if (verdict && verdict->stop) stop = std::move(verdict->reason);
    }
    if (live == trials_.end()) {
      rule_trial_ended(sweep, trial);
    } else if (stop && trial.phase != TrialPhase::kPending) {
      trial.stopping = std::move(stop);  // its agent is told when it comes back (readopt)
    }
  }
  return Status::ok();
}

}  // namespace labsweep::orchestrator
