// Tree-structured Parzen estimator search (docs/sweep-file.md, "tpe"): Optuna 3.1's TPESampler
// with its defaults, univariate, with constant_liar. Until ten trials have ranked results it
// draws as random search does; after that each parameter is chosen on its own: the best-ranked
// trials ("below") and all others ("above", the running ones among them as the worst) each give a
// Parzen estimator, and of 24 draws from the below one the draw with the highest ratio of below
// to above density is taken.
//
// Every suggestion rebuilds both estimators from the trials seen so far, in time linear in their
// number: the trials are kept ranked and, per numeric parameter, sorted by value as they arrive,
// so that nothing is re-sorted.

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "sweeps/sampler.h"
#include "sweeps/search/methods.h"
#include "sweeps/search/parzen_estimator.h"
#include "sweeps/search/tpe_encoding.h"
#include "sweeps/search/tpe_ranking.h"

namespace labsweep::sweeps {
namespace {

constexpr size_t kStartupTrials = 10;
constexpr size_t kCandidates = 24;
// Keeps tpe's draws apart from random search's, which the startup trials share.
constexpr uint64_t kDrawSalt = 0x7470652d64726177ULL;

using Slot = uint32_t;

struct Trial {
  uint64_t index = 0;
  std::vector<double> x;        // per parameter, modelled; NaN where it is not the parameter's
  std::optional<TpeRank> rank;  // nullopt: left out (failed, or finished without a value)
};

class TpeSearch final : public SearchMethod {
 public:
  TpeSearch(const SweepSpec& spec, uint64_t seed)
      : spec_(spec),
        seed_(seed),
        goal_(spec.metric ? spec.metric->goal : Goal::kMinimize),
        by_value_(spec.parameters.size()) {
    for (const Parameter& p : spec.parameters) encodings_.emplace_back(p);
  }

  std::optional<Suggestion> next() override {
    // Skips the indexes held by trials: those marked used and those observed.
    while (used_.erase(cursor_) || slots_.count(cursor_)) ++cursor_;
    uint64_t index = cursor_++;
    std::vector<Value> values = suggest(index);
    observe(TrialResult{.index = index, .values = values, .outcome = TrialOutcome::kRunning});
    return Suggestion{index, std::move(values)};
  }

  void mark_used(uint64_t index) override {
    if (index >= cursor_) used_.insert(index);
  }

  std::optional<uint64_t> size() const override { return std::nullopt; }
  bool learns() const override { return true; }

  void observe(const TrialResult& result) override {
    Slot s = slot_of(result.index);
    withdraw(s);
    Trial& t = trials_[s];
    if (result.values.size() == encodings_.size()) {
      for (size_t j = 0; j < encodings_.size(); ++j)
        t.x[j] = encodings_[j].encode(result.values[j]);
    }
    t.rank = tpe_rank(result, goal_);
    admit(s);
  }

 private:
  Slot slot_of(uint64_t index);
  void admit(Slot s);
  void withdraw(Slot s);
  bool before(Slot a, Slot b, size_t j) const;

  std::vector<Value> suggest(uint64_t index);
  void split();
  void weigh_above(size_t j);
  Value suggest_numeric(size_t j, uint64_t stream);
  Value suggest_categorical(size_t j, uint64_t stream);
  static double draw(uint64_t stream, size_t j, size_t candidate, size_t which);

  const SweepSpec& spec_;
  uint64_t seed_;
  Goal goal_;
  std::vector<TpeEncoding> encodings_;
  uint64_t cursor_ = 0;
  std::unordered_set<uint64_t> used_;

  std::vector<Trial> trials_;
  std::unordered_map<uint64_t, Slot> slots_;
  std::vector<Slot> chronological_;                       // the trials in the model, by index
  std::set<std::tuple<TpeRank, uint64_t, Slot>> ranked_;  // those not running, best first
  std::vector<std::vector<Slot>> by_value_;  // per numeric parameter: those with a value, by it

  // Per suggestion, by slot: in the below group; weight in the above group of the parameter.
  std::vector<char> below_;
  std::vector<Slot> below_slots_;  // chronological
  std::vector<double> weight_;
};

Slot TpeSearch::slot_of(uint64_t index) {
  auto [it, inserted] = slots_.try_emplace(index, static_cast<Slot>(trials_.size()));
  if (inserted) {
    trials_.push_back(Trial{index, std::vector<double>(encodings_.size(), NAN), std::nullopt});
  }
  return it->second;
}

// Whether trial a comes before trial b in parameter j's order: by value, then by index.
bool TpeSearch::before(Slot a, Slot b, size_t j) const {
  const Trial& ta = trials_[a];
  const Trial& tb = trials_[b];
  if (ta.x[j] != tb.x[j]) return ta.x[j] < tb.x[j];
  return ta.index < tb.index;
}

void TpeSearch::admit(Slot s) {
  const Trial& t = trials_[s];
  if (!t.rank) return;
  auto by_index = [this](Slot a, Slot b) { return trials_[a].index < trials_[b].index; };
  chronological_.insert(std::lower_bound(chronological_.begin(), chronological_.end(), s, by_index),
                        s);
  if (!is_running(*t.rank)) ranked_.emplace(*t.rank, t.index, s);
  for (size_t j = 0; j < encodings_.size(); ++j) {
    if (encodings_[j].kind() != TpeEncoding::Kind::kNumeric || std::isnan(t.x[j])) continue;
    auto& order = by_value_[j];
    auto at = std::lower_bound(order.begin(), order.end(), s,
                               [&](Slot a, Slot b) { return before(a, b, j); });
    order.insert(at, s);
  }
}

void TpeSearch::withdraw(Slot s) {
  const Trial& t = trials_[s];
  if (!t.rank) return;
  auto by_index = [this](Slot a, Slot b) { return trials_[a].index < trials_[b].index; };
  chronological_.erase(std::lower_bound(chronological_.begin(), chronological_.end(), s, by_index));
  ranked_.erase({*t.rank, t.index, s});
  for (size_t j = 0; j < encodings_.size(); ++j) {
    if (encodings_[j].kind() != TpeEncoding::Kind::kNumeric || std::isnan(t.x[j])) continue;
    auto& order = by_value_[j];
    order.erase(std::lower_bound(order.begin(), order.end(), s,
                                 [&](Slot a, Slot b) { return before(a, b, j); }));
  }
}

std::vector<Value> TpeSearch::suggest(uint64_t index) {
  if (ranked_.size() < kStartupTrials) return sample_parameters(spec_.parameters, seed_, index);
  split();
  uint64_t stream = mix64(mix64(seed_ ^ kDrawSalt) ^ index);
  std::vector<Value> values;
  values.reserve(encodings_.size());
  for (size_t j = 0; j < encodings_.size(); ++j) {
    switch (encodings_[j].kind()) {
      case TpeEncoding::Kind::kConstant:
        values.push_back(encodings_[j].decode(0));
        break;
      case TpeEncoding::Kind::kNumeric:
        values.push_back(suggest_numeric(j, stream));
        break;
      case TpeEncoding::Kind::kCategorical:
        values.push_back(suggest_categorical(j, stream));
        break;
    }
  }
  return values;
}

// Marks the below group: the gamma(n) best of the n ranked trials.
void TpeSearch::split() {
  below_.assign(trials_.size(), 0);
  weight_.assign(trials_.size(), 0.0);
  below_slots_.clear();
  size_t n_below = tpe_below_count(ranked_.size());
  for (auto it = ranked_.begin(); below_slots_.size() < n_below; ++it) {
    below_slots_.push_back(std::get<2>(*it));
    below_[std::get<2>(*it)] = 1;
  }
  std::sort(below_slots_.begin(), below_slots_.end(),
            [this](Slot a, Slot b) { return trials_[a].index < trials_[b].index; });
}

// Gives each trial of parameter j's above group its weight, by its place in time.
void TpeSearch::weigh_above(size_t j) {
  auto in_above = [&](Slot s) { return !below_[s] && !std::isnan(trials_[s].x[j]); };
  size_t count =
      static_cast<size_t>(std::count_if(chronological_.begin(), chronological_.end(), in_above));
  std::vector<double> weights = tpe_weights(count);
  size_t rank = 0;
  for (Slot s : chronological_) {
    if (in_above(s)) weight_[s] = weights[rank++];
  }
}

double TpeSearch::draw(uint64_t stream, size_t j, size_t candidate, size_t which) {
  return unit_interval(mix64(stream + ((j * kCandidates + candidate) << 1) + which));
}

Value TpeSearch::suggest_numeric(size_t j, uint64_t stream) {
  const TpeEncoding& encoding = encodings_[j];
  // The below group: chronological weights, then sorted by value (stably, so ties keep time).
  std::vector<std::pair<double, double>> below;
  for (Slot s : below_slots_) {
    if (!std::isnan(trials_[s].x[j])) below.emplace_back(trials_[s].x[j], 0.0);
  }
  std::vector<double> below_weights = tpe_weights(below.size());
  for (size_t i = 0; i < below.size(); ++i) below[i].second = below_weights[i];
  std::stable_sort(below.begin(), below.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<double> mus(below.size());
  for (size_t i = 0; i < below.size(); ++i) {
    mus[i] = below[i].first;
    below_weights[i] = below[i].second;
  }
  ParzenEstimator l(encoding.space(), mus, below_weights);

  weigh_above(j);
  mus.clear();
  std::vector<double> above_weights;
  for (Slot s : by_value_[j]) {
    if (below_[s]) continue;
    mus.push_back(trials_[s].x[j]);
    above_weights.push_back(weight_[s]);
  }
  ParzenEstimator g(encoding.space(), mus, above_weights);

  // Optuna's argmax of log l - log g over the candidates: the first of equal scores wins.
  std::vector<std::pair<double, double>> scored;  // (snapped candidate, score), distinct
  double best = 0;
  double best_score = -INFINITY;
  for (size_t k = 0; k < kCandidates; ++k) {
    double x = encoding.snap(l.sample(draw(stream, j, k, 0), draw(stream, j, k, 1)));
    auto seen =
        std::find_if(scored.begin(), scored.end(), [x](const auto& c) { return c.first == x; });
    double score = seen != scored.end()
                       ? seen->second
                       : l.log_pdf(encoding.to_model(x)) - g.log_pdf(encoding.to_model(x));
    if (seen == scored.end()) scored.emplace_back(x, score);
    if (k == 0 || score > best_score) {
      best = x;
      best_score = score;
    }
  }
  return encoding.decode(best);
}

Value TpeSearch::suggest_categorical(size_t j, uint64_t stream) {
  const TpeEncoding& encoding = encodings_[j];
  std::vector<size_t> below;
  for (Slot s : below_slots_) {
    if (!std::isnan(trials_[s].x[j])) below.push_back(static_cast<size_t>(trials_[s].x[j]));
  }
  CategoricalParzenEstimator l(encoding.choices(), below, tpe_weights(below.size()));

  weigh_above(j);
  std::vector<size_t> above;
  std::vector<double> above_weights;
  for (Slot s : chronological_) {
    if (below_[s] || std::isnan(trials_[s].x[j])) continue;
    above.push_back(static_cast<size_t>(trials_[s].x[j]));
    above_weights.push_back(weight_[s]);
  }
  CategoricalParzenEstimator g(encoding.choices(), above, above_weights);

  size_t best = 0;
  double best_score = -INFINITY;
  for (size_t k = 0; k < kCandidates; ++k) {
    size_t c = l.sample(draw(stream, j, k, 0), draw(stream, j, k, 1));
    double score = l.log_pdf(c) - g.log_pdf(c);
    if (k == 0 || score > best_score) {
      best = c;
      best_score = score;
    }
  }
  return encoding.decode(static_cast<double>(best));
}

}  // namespace

std::unique_ptr<SearchMethod> make_tpe_search(const SweepSpec& spec, uint64_t seed) {
  return std::make_unique<TpeSearch>(spec, seed);
}

}  // namespace labsweep::sweeps
