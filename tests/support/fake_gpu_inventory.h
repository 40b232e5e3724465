#pragma once

// GPUs that are whatever the test says: set `gpus` (and mark some busy by adding processes), or
// `failure` to make the next samples fail.

#include <optional>
#include <vector>

#include "agent/gpu_inventory.h"

namespace labsweep::testing {

class FakeGpuInventory final : public agent::GpuInventory {
 public:
  Result<std::vector<agent::GpuSample>> sample() override {
    ++samples;
    if (failure) return *failure;
    return gpus;
  }
  std::string description() const override { return "fake GPUs (in memory)"; }

  // `count` idle GPUs named "Fake GPU", indices 0..count-1.
  static std::vector<agent::GpuSample> idle(int count, int64_t memory_total_mb = 81559) {
    std::vector<agent::GpuSample> out;
    for (int i = 0; i < count; ++i) {
      out.push_back({i, "Fake GPU", "GPU-fake-" + std::to_string(i), memory_total_mb, 0, 0, {}});
    }
    return out;
  }

  std::vector<agent::GpuSample> gpus;
  std::optional<Status> failure;
  int samples = 0;
};

}  // namespace labsweep::testing
