#pragma once

// Ending a trial politely, then firmly: a stop notice that the trial may act on, SIGTERM to its
// process group after the grace period, SIGKILL after the kill delay. Driven by the agent's
// loop through tick(); time comes from the injected clock. Not thread-safe.

#include <chrono>
#include <functional>
#include <optional>

#include "agent/process_launcher.h"
#include "base/clock.h"

namespace labsweep::agent {

class StopSequence {
 public:
  enum class Stage { kNotStarted, kNotified, kTerminated, kKilled, kExited };

  // `process` and `clock` must outlive the sequence. `notify` sends the stop notice (on the
  // trial's socket); it may be empty when the trial has no socket.
  StopSequence(Process& process, const Clock& clock, std::chrono::milliseconds grace,
               std::chrono::milliseconds kill_delay, std::function<void()> notify);

  // Sends the notice and starts the grace period; a second call does nothing.
  void begin();
  // Escalates when a deadline has passed; notices when the process has exited.
  void tick();

  Stage stage() const { return stage_; }
  // When tick() next has something to do, or nullopt when nothing is pending.
  std::optional<Clock::TimePoint> next_deadline() const;

 private:
  Process& process_;
  const Clock& clock_;
  std::chrono::milliseconds grace_;
  std::chrono::milliseconds kill_delay_;
  std::function<void()> notify_;
  Stage stage_ = Stage::kNotStarted;
  Clock::TimePoint stage_started_{};
};

}  // namespace labsweep::agent
