#include "sweeps/stopping/hyperband_rule.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "sweeps/python_format.h"
#include "sweeps/stopping/ranked_values.h"
#include "sweeps/stopping/watched_metric.h"

namespace labsweep::sweeps {
namespace {

struct TrialHistory {
  std::vector<double> values;  // finite values, lower is better, in report order
  double best = 0;             // min(values) once there is one
  bool running = true;
};

class HyperbandRule final : public StoppingRule {
 public:
  HyperbandRule(const Hyperband& hyperband, const Metric& metric)
      : hyperband_(hyperband),
        metric_{metric.name, metric.goal == Goal::kMaximize},
        reached_(hyperband.bands.size()) {}

  std::vector<std::string> metrics() const override { return {metric_.name}; }

  StopVerdict report(const Report& report) override {
    if (report.metric != metric_.name || !std::isfinite(report.value)) return {};
    TrialHistory& trial = trials_[report.trial];
    double value = metric_.lower_is_better(report.value);
    trial.best = trial.values.empty() ? value : std::min(trial.best, value);
    trial.values.push_back(value);
    record_band_value(trial);
    if (!trial.running) return {};
    return judge(trial);
  }

  void trial_ended(int64_t trial) override { trials_[trial].running = false; }

 private:
  // When this report makes the trial reach a band, its value there joins the band's values.
  void record_band_value(const TrialHistory& trial) {
    auto length = static_cast<int64_t>(trial.values.size());
    const auto& bands = hyperband_.bands;
    for (size_t i = 0; i < bands.size(); ++i) {
      if (bands[i] == length) reached_[i].insert(trial.values.back());
    }
  }

  // W&B re-judges a running trial at its latest band on every pass; here each of its reports
  // is a pass, so a trial can be stopped later at the same band as the threshold moves.
  StopVerdict judge(const TrialHistory& trial) {
    auto length = static_cast<int64_t>(trial.values.size());
    const auto& bands = hyperband_.bands;
    auto it = std::upper_bound(bands.begin(), bands.end(), length);
    if (it == bands.begin()) return {};
    auto band_index = static_cast<size_t>(it - bands.begin() - 1);
    int64_t band = bands[band_index];
    RankedValues& values = reached_[band_index];
    // int(r·n) with r = 1/eta, computed as W&B does so that the rank matches it exactly.
    auto rank = static_cast<size_t>((1.0 / hyperband_.eta) * static_cast<double>(values.size()));
    double threshold = values.kth(std::min(rank, values.size() - 1));
    double condition = hyperband_.strict ? trial.values[static_cast<size_t>(band - 1)] : trial.best;
    if (!(condition > threshold)) return {};
    return {true, reason(band, condition, threshold, values.size())};
  }

  std::string reason(int64_t band, double condition, double threshold, size_t n) const {
    std::string what = hyperband_.strict ? "" : "best so far ";
    return "band " + std::to_string(band) + ": " + metric_.name + " " + what +
           python_float_repr(metric_.as_reported(condition)) + " is worse than the threshold " +
           python_float_repr(metric_.as_reported(threshold)) + " of the " + std::to_string(n) +
           " trials that reached iteration " + std::to_string(band);
  }

  Hyperband hyperband_;
  WatchedMetric metric_;
  std::vector<RankedValues> reached_;  // per band, the values of the trials that reached it
  std::unordered_map<int64_t, TrialHistory> trials_;
};

}  // namespace

std::unique_ptr<StoppingRule> make_hyperband_rule(const Hyperband& hyperband,
                                                  const Metric& sweep_metric) {
  return std::make_unique<HyperbandRule>(hyperband, sweep_metric);
}

}  // namespace labsweep::sweeps
