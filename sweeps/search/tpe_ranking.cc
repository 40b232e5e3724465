#include "sweeps/search/tpe_ranking.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace labsweep::sweeps {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kFlatWeights = 25;

}  // namespace

std::optional<TpeRank> tpe_rank(const TrialResult& result, Goal goal) {
  double sign = goal == Goal::kMaximize ? -1.0 : 1.0;
  switch (result.outcome) {
    case TrialOutcome::kRunning:
      return TpeRank{kInf, kInf};
    case TrialOutcome::kFailed:
      return std::nullopt;
    case TrialOutcome::kFinished:
      break;
  }
  if (!result.stopped_early) {
    if (!result.best || !std::isfinite(*result.best)) return std::nullopt;
    return TpeRank{-kInf, sign * *result.best};
  }
  // Optuna's pruned trial: its last intermediate value, or (1, 0) when it reported none.
  if (result.last_step < 0) return TpeRank{1.0, 0.0};
  double step = -static_cast<double>(result.last_step);
  if (!result.latest || !std::isfinite(*result.latest)) return TpeRank{step, kInf};
  return TpeRank{step, sign * *result.latest};
}

bool is_running(const TpeRank& rank) { return rank.step == kInf; }

size_t tpe_below_count(size_t n) { return std::min((n + 9) / 10, kFlatWeights); }

std::vector<double> tpe_weights(size_t n) {
  std::vector<double> out(n, 1.0);
  if (n < kFlatWeights) return out;
  // numpy.linspace(1 / n, 1, n - 25): start + i * step, the last one exactly 1.
  size_t ramp = n - kFlatWeights;
  double start = 1.0 / static_cast<double>(n);
  if (ramp == 1) {
    out[0] = start;
  } else if (ramp > 1) {
    double step = (1.0 - start) / static_cast<double>(ramp - 1);
    for (size_t i = 0; i < ramp; ++i) out[i] = static_cast<double>(i) * step + start;
    out[ramp - 1] = 1.0;
  }
  return out;
}

}  // namespace labsweep::sweeps
