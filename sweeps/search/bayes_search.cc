// Bayesian search (reference §5): W&B's Gaussian process with expected improvement. Parameters
// are modelled on [0, 1] through quantile_of, ended trials are the training data (failed ones
// imputed), running ones are fantasies at the model's prediction, and the next trial is the best
// of 1000 random candidates by expected improvement. docs/sweep-file.md says where and why this
// differs from W&B.

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <unordered_map>

#include "sweeps/sampler.h"
#include "sweeps/search/expected_improvement.h"
#include "sweeps/search/gaussian_process.h"
#include "sweeps/search/methods.h"
#include "sweeps/search/suggestion_indexes.h"

namespace labsweep::sweeps {
namespace {

constexpr size_t kMaxSamples = 100;                      // W&B's max_samples_for_gp
constexpr size_t kMaxFantasies = kMaxSamples - 5;        // W&B keeps 5 places for real results
constexpr Eigen::Index kCandidates = 1000;               // W&B's num_points_to_try
constexpr double kStddevEpsilon = 1e-6;                  // W&B's STD_NUMERICAL_STABILITY_EPSILON
constexpr uint64_t kStreamSalt = 0xba7e5ba7e5ba7e55ULL;  // keeps apart from random search's draws

// A trial as the model sees it: where it lies in [0, 1]^d and what it reported.
struct Trial {
  std::vector<double> point;
  TrialResult result;
};

// An unbiased draw from {0, ..., n - 1} (n > 0): rejection instead of a modulo's bias, and no
// std:: distribution, whose output differs between standard libraries.
size_t uniform_index(std::mt19937_64& rng, size_t n) {
  uint64_t limit = static_cast<uint64_t>(n);
  uint64_t threshold = (0 - limit) % limit;  // 2^64 mod n: draws below it are rejected
  uint64_t r = rng();
  while (r < threshold) r = rng();
  return static_cast<size_t>(r % limit);
}

// Targets standardised as W&B does before fitting: (y - mean) / (std + 1e-6).
struct Standardized {
  Eigen::VectorXd values;
  double mean = 0;
  double scale = 1;
};

Standardized standardize(const Eigen::VectorXd& y) {
  double mean = y.mean();
  double scale = std::sqrt((y.array() - mean).square().mean()) + kStddevEpsilon;
  return {(y.array() - mean) / scale, mean, scale};
}

// The training data of one suggestion: results (finished, failed, imputed) and fantasies.
struct TrainingData {
  std::vector<const std::vector<double>*> points;
  std::vector<double> y;  // to be minimised: negated when the goal is to maximize
  std::vector<const std::vector<double>*> fantasies;
};

class BayesSearch final : public SearchMethod {
 public:
  BayesSearch(const SweepSpec& spec, uint64_t seed) : spec_(spec), seed_(seed) {
    for (size_t j = 0; j < spec.parameters.size(); ++j) {
      if (spec.parameters[j].distribution != Distribution::kConstant) searchable_.push_back(j);
    }
    if (spec.metric) metric_ = *spec.metric;
  }

  std::optional<Suggestion> next() override {
    uint64_t index = *indexes_.take();
    std::vector<Value> values = suggest(index);
    record(TrialResult{.index = index, .values = values});
    return Suggestion{index, std::move(values)};
  }

  void mark_used(uint64_t index) override { indexes_.mark_used(index); }

  std::optional<uint64_t> size() const override { return std::nullopt; }
  bool learns() const override { return true; }
  void observe(const TrialResult& result) override { record(result); }

 private:
  void record(const TrialResult& result);
  std::optional<std::vector<double>> encode(const std::vector<Value>& values) const;
  std::vector<Value> decode(const Eigen::RowVectorXd& point) const;
  TrainingData training_data() const;
  double worst_value() const;
  double imputed(const std::string& strategy, const TrialResult& result, double worst) const;
  std::vector<Value> suggest(uint64_t index) const;

  const SweepSpec& spec_;
  uint64_t seed_;
  Metric metric_;
  std::vector<size_t> searchable_;  // the parameters that are not constants, by position
  SuggestionIndexes indexes_;
  // Ended trials in the order they ended (a trial that ends again moves to the back), as a
  // restarted orchestrator observes them again; running trials by index.
  std::map<uint64_t, Trial> ended_;
  std::unordered_map<uint64_t, uint64_t> end_order_;  // trial index -> key in ended_
  uint64_t ends_ = 0;
  std::map<uint64_t, Trial> running_;
};

void BayesSearch::record(const TrialResult& result) {
  running_.erase(result.index);
  if (auto it = end_order_.find(result.index); it != end_order_.end()) {
    ended_.erase(it->second);
    end_order_.erase(it);
  }
  // A value the space cannot hold (the sweep file changed under a stored trial) is left out of
  // the model rather than guessed at.
  std::optional<std::vector<double>> point = encode(result.values);
  if (!point) return;
  Trial trial{std::move(*point), result};
  if (result.outcome == TrialOutcome::kRunning) {
    running_[result.index] = std::move(trial);
    return;
  }
  end_order_[result.index] = ends_;
  ended_[ends_++] = std::move(trial);
}

std::optional<std::vector<double>> BayesSearch::encode(const std::vector<Value>& values) const {
  if (values.size() != spec_.parameters.size()) return std::nullopt;
  std::vector<double> point;
  point.reserve(searchable_.size());
  for (size_t j : searchable_) {
    std::optional<double> u = quantile_of(spec_.parameters[j], values[j]);
    if (!u) return std::nullopt;
    point.push_back(*u);
  }
  return point;
}

std::vector<Value> BayesSearch::decode(const Eigen::RowVectorXd& point) const {
  std::vector<Value> values;
  values.reserve(spec_.parameters.size());
  size_t k = 0;
  for (size_t j = 0; j < spec_.parameters.size(); ++j) {
    bool is_searchable = k < searchable_.size() && searchable_[k] == j;
    double u = is_searchable ? point(static_cast<Eigen::Index>(k++)) : 0.5;
    values.push_back(sample_at(spec_.parameters[j], u));
  }
  return values;
}

// W&B's "worst" imputation: the worst value among ended trials (failed ones included), 0.0 when
// there is none. W&B takes each trial's worst report; a TrialResult carries its best and latest.
double BayesSearch::worst_value() const {
  bool maximize = metric_.goal == Goal::kMaximize;
  std::optional<double> worst;
  for (const auto& [order, trial] : ended_) {
    for (const std::optional<double>& v : {trial.result.best, trial.result.latest}) {
      if (!v || !std::isfinite(*v)) continue;
      if (!worst || (maximize ? *v < *worst : *v > *worst)) worst = *v;
    }
  }
  return worst.value_or(0.0);
}

double BayesSearch::imputed(const std::string& strategy, const TrialResult& result,
                            double worst) const {
  if (strategy == "best") return result.best.value_or(0.0);
  if (strategy == "latest") return result.latest.value_or(0.0);
  return worst;
}

TrainingData BayesSearch::training_data() const {
  double worst = worst_value();
  double sign = metric_.goal == Goal::kMaximize ? -1.0 : 1.0;
  TrainingData data;
  auto add = [&](const Trial& trial, double y) {
    data.points.push_back(&trial.point);
    data.y.push_back(sign * (std::isfinite(y) ? y : worst));
  };
  for (const auto& [order, trial] : ended_) {
    const TrialResult& r = trial.result;
    bool has_value = r.outcome == TrialOutcome::kFinished && r.best;
    add(trial, has_value ? *r.best : imputed(metric_.impute, r, worst));
  }
  for (const auto& [index, trial] : running_) {
    if (metric_.impute_while_running != "false") {
      add(trial, imputed(metric_.impute_while_running, trial.result, worst));
    } else if (data.fantasies.size() < kMaxFantasies) {
      data.fantasies.push_back(&trial.point);
    }
  }
  return data;
}

Eigen::MatrixXd rows_of(const std::vector<const std::vector<double>*>& points, size_t d) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(points.size()), static_cast<Eigen::Index>(d));
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t j = 0; j < d; ++j) x(Eigen::Index(i), Eigen::Index(j)) = (*points[i])[j];
  }
  return x;
}

// The training points and targets: all of them, or kMaxSamples drawn with replacement.
std::pair<Eigen::MatrixXd, Eigen::VectorXd> subsample(const TrainingData& data, size_t d,
                                                      std::mt19937_64& rng) {
  std::vector<const std::vector<double>*> points = data.points;
  std::vector<double> y = data.y;
  if (points.size() > kMaxSamples) {
    points.resize(kMaxSamples);
    y.resize(kMaxSamples);
    for (size_t i = 0; i < kMaxSamples; ++i) {
      size_t pick = uniform_index(rng, data.points.size());
      points[i] = data.points[pick];
      y[i] = data.y[pick];
    }
  }
  return {rows_of(points, d), Eigen::Map<Eigen::VectorXd>(y.data(), Eigen::Index(y.size()))};
}

bool at_bound(double length_scale) {
  // sklearn's fit is judged by np.isclose on log(l); Brent stops 0.01 short of a bound.
  double log_l = std::log(length_scale);
  return std::abs(log_l - std::log(GaussianProcess::kMinLengthScale)) < 0.01 ||
         std::abs(log_l - std::log(GaussianProcess::kMaxLengthScale)) < 0.01;
}

std::vector<Value> BayesSearch::suggest(uint64_t index) const {
  TrainingData data = training_data();
  size_t d = searchable_.size();
  // With fewer than two results there is nothing to model: a random draw, as random search's.
  if (data.y.size() < 2 || d == 0) return sample_parameters(spec_.parameters, seed_, index);
  std::mt19937_64 rng(mix64(mix64(seed_ ^ kStreamSalt) ^ index));
  auto [x, y] = subsample(data, d, rng);
  Standardized s = standardize(y);
  double length_scale = GaussianProcess::fit_length_scale(x, s.values);
  std::optional<GaussianProcess> gp = GaussianProcess::fit(x, s.values, length_scale);
  if (gp && !data.fantasies.empty()) {
    // Running trials are pretended to end as predicted, and the model is refit with them: the
    // next suggestion then keeps away from points already being tried.
    Eigen::MatrixXd fantasies = rows_of(data.fantasies, d);
    Eigen::VectorXd predicted = gp->mean(gp->cross_kernel(fantasies)) * s.scale;
    predicted.array() += s.mean;
    Eigen::MatrixXd x_all(x.rows() + fantasies.rows(), Eigen::Index(d));
    x_all << x, fantasies;
    Eigen::VectorXd y_all(y.size() + predicted.size());
    y_all << y, predicted;
    s = standardize(y_all);
    gp = GaussianProcess::fit(x_all, s.values, length_scale);
  }
  if (!gp) return sample_parameters(spec_.parameters, seed_, index);
  Eigen::MatrixXd candidates(kCandidates, Eigen::Index(d));
  for (Eigen::Index i = 0; i < kCandidates; ++i) {
    for (Eigen::Index j = 0; j < Eigen::Index(d); ++j) candidates(i, j) = unit_interval(rng());
  }
  double best = (*std::min_element(data.y.begin(), data.y.end()) - s.mean) / s.scale;
  // A length scale at its bound is a poor fit; W&B then takes a random candidate.
  size_t chosen = at_bound(length_scale)
                      ? uniform_index(rng, size_t(kCandidates))
                      : maximize_expected_improvement(*gp, candidates, best).index;
  return decode(candidates.row(Eigen::Index(chosen)));
}

}  // namespace

std::unique_ptr<SearchMethod> make_bayes_search(const SweepSpec& spec, uint64_t seed) {
  return std::make_unique<BayesSearch>(spec, seed);
}

}  // namespace labsweep::sweeps
