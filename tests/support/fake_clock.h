#pragma once

// A clock that moves only when the test says so.

#include "base/clock.h"

namespace labsweep::testing {

class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  int64_t wall_ms() const override {
    return kEpochMs +
           std::chrono::duration_cast<std::chrono::milliseconds>(now_ - TimePoint{}).count();
  }
  void advance(std::chrono::nanoseconds by) { now_ += by; }

 private:
  static constexpr int64_t kEpochMs = 1'700'000'000'000;  // an arbitrary, fixed wall time
  TimePoint now_{};
};

}  // namespace labsweep::testing
