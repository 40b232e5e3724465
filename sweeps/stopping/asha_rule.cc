#include "sweeps/stopping/asha_rule.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sweeps/python_format.h"
#include "sweeps/stopping/resource_pairing.h"
#include "sweeps/stopping/watched_metric.h"

namespace labsweep::sweeps {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kUnbounded = std::numeric_limits<int64_t>::max();

struct AshaSettings {
  int64_t min_resource = 1;
  int64_t max_resource = kUnbounded;
  int64_t eta = 4;  // Ray Tune's ASHAScheduler and Optuna's SuccessiveHalvingPruner default to 4
  int64_t grace_period = 0;
  int64_t brackets = 1;
  bool rank_cutoff = false;  // `cutoff: rank` (Optuna's) rather than `quantile` (Ray Tune's)
};

int64_t setting(const Map& settings, std::string_view key, int64_t fallback) {
  for (const auto& [name, v] : settings)
    if (name == key && v.is_int()) return v.as_int();
  return fallback;
}

AshaSettings read_settings(const Map& settings) {
  AshaSettings s;
  s.min_resource = setting(settings, "min_resource", s.min_resource);
  s.max_resource = setting(settings, "max_resource", s.max_resource);
  s.eta = setting(settings, "eta", s.eta);
  s.grace_period = setting(settings, "grace_period", s.grace_period);
  s.brackets = setting(settings, "brackets", s.brackets);
  for (const auto& [name, v] : settings)
    if (name == "cutoff" && v.is_string()) s.rank_cutoff = v.as_string() == "rank";
  return s;
}

// The rungs of bracket `b`: min_resource * eta^(b + k) up to max_resource, without those below
// the grace period. Integer arithmetic throughout: a floating-point logarithm would drop or add
// a rung where max_resource is an exact power (log(243) / log(3) is 4.999...).
std::vector<int64_t> bracket_rungs(const AshaSettings& s, int64_t b) {
  std::vector<int64_t> rungs;
  int64_t r = s.min_resource;
  for (int64_t k = 0; r <= s.max_resource; ++k) {
    if (k >= b && r >= s.grace_period) rungs.push_back(r);
    if (r > s.max_resource / s.eta) break;  // r * eta would pass max_resource (or overflow)
    r *= s.eta;
  }
  return rungs;
}

// Values in the rule's own order: lower is better, whatever the goal, and every non-finite value
// ranks worst (+inf), so that NaN never breaks the ordering.
double loss_of(double value, Goal goal) {
  if (!std::isfinite(value)) return kInf;
  return goal == Goal::kMaximize ? -value : value;
}

// The values recorded at one rung, in an order-statistic tree: the k-th smallest in O(log n).
// Keyed by (loss, trial), unique because a trial records at a rung once.
class Rung {
 public:
  explicit Rung(int64_t resource) : resource_(resource) {}

  int64_t resource() const { return resource_; }

  // Ray Tune's cut-off, exact: the 1/eta quantile, linearly interpolated, of the values recorded
  // here so far (in loss order; numpy's "linear" method at position (n - 1) / eta);
  // nullopt when none is.
  std::optional<double> cutoff(int64_t eta) const {
    int64_t n = static_cast<int64_t>(values_.size());
    if (n == 0) return std::nullopt;
    int64_t lo = (n - 1) / eta;
    int64_t rem = (n - 1) % eta;
    double a = values_.find_by_order(lo)->first;
    if (rem == 0) return a;
    double b = values_.find_by_order(lo + 1)->first;
    if (std::isinf(b)) return kInf;
    return std::lerp(a, b, static_cast<double>(rem) / static_cast<double>(eta));
  }

  // Optuna's cut-off (SuccessiveHalvingPruner), exact: among the values recorded here, the
  // trial's own included (call it after record()), ordered best first, the one at rank
  // floor(n / eta), counting from 1; the best while fewer than eta values are recorded.
  double rank_cutoff(int64_t eta) const {
    return values_.find_by_order(static_cast<size_t>(survivors(eta) - 1))->first;
  }

  // How many of the values recorded here the rank cut-off lets through.
  int64_t survivors(int64_t eta) const { return std::max<int64_t>(size() / eta, 1); }

  int64_t size() const { return static_cast<int64_t>(values_.size()); }

  void record(double loss, int64_t trial) { values_.insert({loss, trial}); }

 private:
  using Tree = __gnu_pbds::tree<std::pair<double, int64_t>, __gnu_pbds::null_type,
                                std::less<std::pair<double, int64_t>>, __gnu_pbds::rb_tree_tag,
                                __gnu_pbds::tree_order_statistics_node_update>;
  int64_t resource_;
  Tree values_;
};

// What the rule remembers of one trial.
struct TrialState {
  size_t next_rung = 0;  // index in its bracket of the lowest rung it has not reached
  bool done = false;     // stopped by this rule or ended: never judged or recorded again
};

// The cut-off as a user reads it: exact where a few digits say it exactly, else rounded to the
// fewest significant digits (at least 3) at which `value` is still worse than what is shown
// ("0.412 ... (cut-off 0.388)", not 0.38799999999999996).
std::string cutoff_text(double cutoff, double value, Goal goal) {
  char buf[64];
  for (int digits = 3; digits < 17; ++digits) {
    auto end = std::to_chars(buf, buf + sizeof buf, cutoff, std::chars_format::general, digits).ptr;
    double shown = std::strtod(std::string(buf, end).c_str(), nullptr);
    if (shown == cutoff || loss_of(value, goal) > loss_of(shown, goal))
      return python_float_repr(shown);
  }
  return python_float_repr(cutoff);
}

class AshaRule final : public StoppingRule {
 public:
  AshaRule(AshaSettings settings, std::string metric, Goal goal, std::string resource)
      : settings_(settings), metric_(metric), goal_(goal), progress_(metric, std::move(resource)) {
    // A bracket's rungs are the previous one's less its lowest: past the first bracket without
    // rungs, none has any, and those are not built (`brackets` may be large).
    for (int64_t b = 0; b < settings_.brackets; ++b) {
      std::vector<int64_t> resources = bracket_rungs(settings_, b);
      if (resources.empty()) break;
      std::vector<Rung>& rungs = brackets_.emplace_back();
      for (int64_t r : resources) rungs.emplace_back(r);
    }
  }

  std::vector<std::string> metrics() const override { return progress_.metrics(); }

  StopVerdict report(const Report& report) override {
    TrialState& trial = trials_[report.trial];
    if (trial.done) return {};
    std::optional<Progress> progress = progress_.pair(report);
    if (!progress) return {};
    return reach(report.trial, trial, progress->resource, progress->value);
  }

  void trial_ended(int64_t trial) override {
    trials_[trial].done = true;
    progress_.forget(trial);
  }

 private:
  // The trial made `value` at `resource`. It reaches the highest rung at or below `resource`
  // unless it already has: rungs it jumped over get nothing from it (as in Ray Tune: a later
  // value would not be comparable with the others there), and a late report of an earlier step
  // changes nothing.
  StopVerdict reach(int64_t id, TrialState& trial, double resource, double value) {
    if (std::isnan(resource)) return {};
    int64_t bracket = id % settings_.brackets;
    if (bracket < 0) bracket += settings_.brackets;
    if (bracket >= static_cast<int64_t>(brackets_.size())) return {};
    std::vector<Rung>& rungs = brackets_[static_cast<size_t>(bracket)];
    auto past = std::partition_point(rungs.begin(), rungs.end(), [&](const Rung& r) {
      return static_cast<double>(r.resource()) <= resource;
    });
    size_t reached = static_cast<size_t>(past - rungs.begin());
    if (reached <= trial.next_rung) return {};
    trial.next_rung = reached;
    Rung& rung = rungs[reached - 1];
    double loss = loss_of(value, goal_);
    std::optional<double> cutoff;
    if (settings_.rank_cutoff) {
      rung.record(loss, id);
      cutoff = rung.rank_cutoff(settings_.eta);
    } else {
      cutoff = rung.cutoff(settings_.eta);
      rung.record(loss, id);
    }
    // Ties survive: a trial is stopped only when strictly worse than the cut-off.
    if (!cutoff || !(loss > *cutoff)) return {};
    trial.done = true;
    progress_.forget(id);
    return {true, reason(bracket, rung, value, *cutoff)};
  }

  std::string reason(int64_t bracket, const Rung& rung, double value, double cutoff) const {
    // + 0.0: a maximized cut-off of 0 reads "0.0", not "-0.0".
    double shown = (goal_ == Goal::kMaximize ? -cutoff : cutoff) + 0.0;
    std::string where = "rung " + std::to_string(rung.resource());
    if (progress_.named()) where += " (" + progress_.resource() + ")";
    if (settings_.brackets > 1) where = "bracket " + std::to_string(bracket) + ", " + where;
    std::string verdict = settings_.rank_cutoff
                              ? " is not among the best " +
                                    std::to_string(rung.survivors(settings_.eta)) + " of the " +
                                    std::to_string(rung.size()) + " values there"
                              : " is not in the top 1/" + std::to_string(settings_.eta);
    return where + ": " + metric_ + " " + python_float_repr(value) + verdict + " (cut-off " +
           cutoff_text(shown, value, goal_) + ")";
  }

  AshaSettings settings_;
  std::string metric_;
  Goal goal_;
  ResourcePairing progress_;
  std::vector<std::vector<Rung>> brackets_;
  std::unordered_map<int64_t, TrialState> trials_;
};

}  // namespace

std::unique_ptr<StoppingRule> make_asha_rule(const StoppingRuleSpec& spec,
                                             const Metric& sweep_metric) {
  WatchedMetric watched = watched_metric(spec, sweep_metric);
  return std::make_unique<AshaRule>(read_settings(spec.settings), std::move(watched.name),
                                    watched.maximize ? Goal::kMaximize : Goal::kMinimize,
                                    spec.resource);
}

}  // namespace labsweep::sweeps
