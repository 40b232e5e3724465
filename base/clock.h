#pragma once

// Time as the parts see it: injected, so that tests advance it instead of sleeping.
// `main()` wires SystemClock; tests use labsweep::testing::FakeClock (tests/support/).

#include <chrono>

namespace labsweep {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  // Monotonic: for deadlines and durations.
  virtual TimePoint now() const = 0;
  // Wall-clock milliseconds since the epoch: for timestamps that are stored or shown.
  virtual int64_t wall_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  int64_t wall_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace labsweep
