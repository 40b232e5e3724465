#include "agent/stop_sequence.h"

#include <signal.h>

namespace labsweep::agent {

StopSequence::StopSequence(Process& process, const Clock& clock, std::chrono::milliseconds grace,
                           std::chrono::milliseconds kill_delay, std::function<void()> notify)
    : process_(process),
      clock_(clock),
      grace_(grace),
      kill_delay_(kill_delay),
      notify_(std::move(notify)) {}

void StopSequence::begin() {
  if (stage_ != Stage::kNotStarted) return;
  stage_ = Stage::kNotified;
  stage_started_ = clock_.now();
  if (notify_) notify_();
  tick();  // a zero grace period escalates at once
}

void StopSequence::tick() {
  if (stage_ == Stage::kNotStarted || stage_ == Stage::kExited) return;
  if (process_.poll()) {
    stage_ = Stage::kExited;
    return;
  }
  Clock::TimePoint now = clock_.now();
  if (stage_ == Stage::kNotified && now >= stage_started_ + grace_) {
    process_.signal_group(SIGTERM);
    stage_ = Stage::kTerminated;
    stage_started_ = now;
  }
  if (stage_ == Stage::kTerminated && now >= stage_started_ + kill_delay_) {
    process_.signal_group(SIGKILL);
    stage_ = Stage::kKilled;
  }
}

std::optional<Clock::TimePoint> StopSequence::next_deadline() const {
  switch (stage_) {
    case Stage::kNotified:
      return stage_started_ + grace_;
    case Stage::kTerminated:
      return stage_started_ + kill_delay_;
    default:
      return std::nullopt;
  }
}

}  // namespace labsweep::agent
