#include "bench/curve_replay.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <utility>

#include "sweeps/search/search_method.h"
#include "sweeps/stopping/stopping_rule.h"

namespace labsweep::bench {
namespace {

struct RunningTrial {
  sweeps::Suggestion suggestion;
  size_t config = 0;
  int epoch = 0;  // epochs trained so far
  double start_s = 0;
  std::optional<double> best{};
  std::optional<double> latest{};
};

// An epoch's end; ties in time go to the trial that started first, so replays are exact.
struct EpochEnd {
  double time_s = 0;
  int64_t trial = 0;
  bool operator>(const EpochEnd& other) const {
    return time_s != other.time_s ? time_s > other.time_s : trial > other.trial;
  }
};

class Replayer {
 public:
  Replayer(const sweeps::SweepSpec& spec, const CurveTable& table, const ReplayOptions& options,
           const std::function<void(const TrialDecision&)>& on_trial_end)
      : spec_(spec), table_(table), options_(options), on_trial_end_(on_trial_end) {}

  Result<ReplayResult> run();

 private:
  Status prepare();
  Status start_trial(double now);
  Status end_epoch(const EpochEnd& end);
  void end_trial(int64_t id, RunningTrial& trial, double now, sweeps::StopVerdict verdict);
  void note_finished_model(const RunningTrial& trial, double now);
  double metric_at(size_t config, int epoch) const;
  bool better(double a, double b) const { return maximize_ ? a > b : a < b; }

  const sweeps::SweepSpec& spec_;
  const CurveTable& table_;
  const ReplayOptions& options_;
  const std::function<void(const TrialDecision&)>& on_trial_end_;
  std::unique_ptr<sweeps::SearchMethod> method_;
  std::unique_ptr<sweeps::StoppingRule> rule_;
  std::vector<size_t> axis_of_;  // per spec parameter, its column among the table's axes
  bool use_loss_ = false;
  bool maximize_ = true;
  int64_t next_trial_ = 1;
  std::map<int64_t, RunningTrial> running_;
  std::priority_queue<EpochEnd, std::vector<EpochEnd>, std::greater<>> queue_;
  ReplayResult result_;
};

Status Replayer::prepare() {
  if (!spec_.metric || (spec_.metric->name != "val_accuracy" && spec_.metric->name != "val_loss"))
    return invalid_argument("the sweep's metric must be val_accuracy or val_loss");
  use_loss_ = spec_.metric->name == "val_loss";
  maximize_ = spec_.metric->goal == sweeps::Goal::kMaximize;
  const std::vector<std::string>& axes = table_.axes();
  if (spec_.parameters.size() != axes.size())
    return invalid_argument("the sweep has " + std::to_string(spec_.parameters.size()) +
                            " parameters, the table " + std::to_string(axes.size()) + " axes");
  for (const sweeps::Parameter& p : spec_.parameters) {
    auto at = std::find(axes.begin(), axes.end(), p.name());
    if (at == axes.end())
      return invalid_argument("parameter '" + p.name() + "' is not an axis of the table");
    axis_of_.push_back(static_cast<size_t>(at - axes.begin()));
  }
  Result<std::unique_ptr<sweeps::SearchMethod>> method =
      sweeps::make_search_method(spec_, options_.seed);
  if (!method) return method.status();
  method_ = std::move(*method);
  rule_ = sweeps::make_stopping_rules(spec_);
  return Status::ok();
}

double Replayer::metric_at(size_t config, int epoch) const {
  const EpochRecord& record = table_.configs()[config].epochs[static_cast<size_t>(epoch - 1)];
  return use_loss_ ? record.val_loss : record.val_accuracy;
}

Status Replayer::start_trial(double now) {
  std::optional<sweeps::Suggestion> suggestion = method_->next();
  if (!suggestion) return Status::ok();  // the space is exhausted: the worker stays idle
  std::vector<double> key(axis_of_.size());
  for (size_t p = 0; p < axis_of_.size(); ++p) {
    const sweeps::Value& value = suggestion->values[p];
    if (!value.is_number())
      return invalid_argument("parameter '" + spec_.parameters[p].name() +
                              "' suggested a value that is not a number");
    key[axis_of_[p]] = value.as_number();
  }
  Result<size_t> config = table_.find(key);
  if (!config) return config.status();
  int64_t id = next_trial_++;
  running_[id] =
      RunningTrial{.suggestion = std::move(*suggestion), .config = *config, .start_s = now};
  queue_.push({now + table_.configs()[*config].epochs[0].epoch_time_s, id});
  return Status::ok();
}

Status Replayer::end_epoch(const EpochEnd& end) {
  RunningTrial& trial = running_.at(end.trial);
  ++trial.epoch;
  ++result_.epochs_spent;
  result_.time_s = end.time_s;
  double value = metric_at(trial.config, trial.epoch);
  trial.latest = value;
  if (!trial.best || better(value, *trial.best)) trial.best = value;
  sweeps::StopVerdict verdict;
  if (rule_) {
    verdict = rule_->report(sweeps::Report{
        .trial = end.trial, .metric = spec_.metric->name, .step = trial.epoch, .value = value});
  }
  if (trial.epoch == table_.epochs()) note_finished_model(trial, end.time_s);
  if (verdict.stop || trial.epoch == table_.epochs()) {
    end_trial(end.trial, trial, end.time_s, std::move(verdict));
    running_.erase(end.trial);
    if (result_.epochs_spent < options_.budget_epochs) return start_trial(end.time_s);
    return Status::ok();
  }
  const RecordedConfig& config = table_.configs()[trial.config];
  queue_.push(
      {end.time_s + config.epochs[static_cast<size_t>(trial.epoch)].epoch_time_s, end.trial});
  return Status::ok();
}

void Replayer::end_trial(int64_t id, RunningTrial& trial, double now, sweeps::StopVerdict verdict) {
  if (rule_) rule_->trial_ended(id);
  if (method_->learns()) {
    method_->observe(sweeps::TrialResult{.index = trial.suggestion.index,
                                         .values = trial.suggestion.values,
                                         .outcome = sweeps::TrialOutcome::kFinished,
                                         .best = trial.best,
                                         .latest = trial.latest,
                                         .last_step = trial.epoch,
                                         .stopped_early = verdict.stop});
  }
  TrialDecision decision{.trial = id,
                         .suggestion = trial.suggestion.index,
                         .config = trial.config,
                         .epochs_run = trial.epoch,
                         .stopped_early = verdict.stop,
                         .reason = std::move(verdict.reason),
                         .start_s = trial.start_s,
                         .end_s = now};
  if (on_trial_end_) on_trial_end_(decision);
  result_.trials.push_back(std::move(decision));
}

void Replayer::note_finished_model(const RunningTrial& trial, double now) {
  double value = metric_at(trial.config, trial.epoch);
  if (!result_.best.empty() && !better(value, result_.best.back().metric)) return;
  const RecordedConfig& config = table_.configs()[trial.config];
  result_.best.push_back(BestSoFar{.epochs_spent = result_.epochs_spent,
                                   .time_s = now,
                                   .config = trial.config,
                                   .metric = value,
                                   .val_accuracy = config.epochs.back().val_accuracy,
                                   .test_accuracy = config.test_accuracy});
}

Result<ReplayResult> Replayer::run() {
  if (Status s = prepare(); !s.is_ok()) return s;
  for (int w = 0; w < options_.workers && options_.budget_epochs > 0; ++w) {
    if (Status s = start_trial(0); !s.is_ok()) return s;
  }
  while (!queue_.empty() && result_.epochs_spent < options_.budget_epochs) {
    EpochEnd end = queue_.top();
    queue_.pop();
    if (Status s = end_epoch(end); !s.is_ok()) return s;
  }
  return std::move(result_);
}

}  // namespace

const BestSoFar* best_at(const ReplayResult& result, int64_t budget) {
  auto after =
      std::upper_bound(result.best.begin(), result.best.end(), budget,
                       [](int64_t b, const BestSoFar& best) { return b < best.epochs_spent; });
  return after == result.best.begin() ? nullptr : &*(after - 1);
}

Result<ReplayResult> replay(const sweeps::SweepSpec& spec, const CurveTable& table,
                            const ReplayOptions& options,
                            const std::function<void(const TrialDecision&)>& on_trial_end) {
  return Replayer(spec, table, options, on_trial_end).run();
}

}  // namespace labsweep::bench
