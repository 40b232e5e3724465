#pragma once

// Coalesces a trial's metric points into one protocol::Metrics message per flush: a trial's
// points are flushed when `max_points` are pending or its oldest pending point is `max_delay`
// old, whichever comes first, or at once when the trial asks for a decision or ends. Time
// comes from the injected clock. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "protocol/messages.h"

namespace labsweep::agent {

class MetricBatcher {
 public:
  // `clock` must outlive the batcher.
  MetricBatcher(const Clock& clock, size_t max_points, std::chrono::milliseconds max_delay)
      : clock_(clock), max_points_(max_points), max_delay_(max_delay) {}

  void add(int64_t trial_id, protocol::MetricPoint point);
  // The trial's pending points as one message (seq not yet set); nullopt when it has none.
  std::optional<protocol::Metrics> take(int64_t trial_id);
  // The messages of every trial that is due, in trial order.
  std::vector<protocol::Metrics> take_due();
  // When the next trial falls due by age; nullopt when nothing is pending.
  std::optional<Clock::TimePoint> next_deadline() const;
  size_t pending_points() const;

 private:
  struct Pending {
    Clock::TimePoint oldest;
    std::vector<protocol::MetricPoint> points;
  };
  const Clock& clock_;
  size_t max_points_;
  std::chrono::milliseconds max_delay_;
  std::map<int64_t, Pending> pending_;  // only trials with at least one point
};

}  // namespace labsweep::agent
