#include "agent/metric_batcher.h"

namespace labsweep::agent {

void MetricBatcher::add(int64_t trial_id, protocol::MetricPoint point) {
  auto [it, inserted] = pending_.try_emplace(trial_id);
  if (inserted) it->second.oldest = clock_.now();
  it->second.points.push_back(std::move(point));
}

std::optional<protocol::Metrics> MetricBatcher::take(int64_t trial_id) {
  auto it = pending_.find(trial_id);
  if (it == pending_.end()) return std::nullopt;
  protocol::Metrics metrics{0, trial_id, std::move(it->second.points)};
  pending_.erase(it);
  return metrics;
}

std::vector<protocol::Metrics> MetricBatcher::take_due() {
  std::vector<protocol::Metrics> due;
  Clock::TimePoint now = clock_.now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.points.size() >= max_points_ || now >= it->second.oldest + max_delay_) {
      due.push_back({0, it->first, std::move(it->second.points)});
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

std::optional<Clock::TimePoint> MetricBatcher::next_deadline() const {
  std::optional<Clock::TimePoint> next;
  for (const auto& [trial, p] : pending_) {
    Clock::TimePoint due = p.points.size() >= max_points_ ? p.oldest : p.oldest + max_delay_;
    if (!next || due < *next) next = due;
  }
  return next;
}

size_t MetricBatcher::pending_points() const {
  size_t n = 0;
  for (const auto& [trial, p] : pending_) n += p.points.size();
  return n;
}

}  // namespace labsweep::agent
