#pragma once

// Fake GPUs described by a JSON file, for integration tests and `labsweep agent --fake-gpus
// FILE`. The file is read again on every sample(), so a test can mark a GPU busy while the agent
// runs. Format (docs/agent.md, "Fake GPUs"):
//
//   {"gpus": [
//     {"name": "Fake H100", "memory_total_mb": 81559, "memory_used_mb": 0,
//      "processes": [{"pid": 1234, "used_mb": 500}]},
//     {"name": "Fake H100", "memory_total_mb": 81559}
//   ]}
//
// A GPU's index is its position in "gpus". Per GPU: "name" (string) and "memory_total_mb"
// (integer >= 0) are required; "memory_used_mb" (integer 0..total, default 0), "uuid" (string,
// default "GPU-fake-<index>"), "utilization_percent" (integer 0..100, default absent) and
// "processes" (default []) are optional. Per process: "pid" (integer >= 1) is required,
// "used_mb" (integer >= 0) optional. Unknown members are errors, so that a typo is not silently
// ignored. A malformed file fails sample() with a Status naming the file and the field
// ("gpus.json: gpus[1].memory_total_mb: expected an integer >= 0"); nothing half-read is kept.

#include <filesystem>

#include "agent/gpu_inventory.h"

namespace labsweep::agent {

class FileGpuInventory final : public GpuInventory {
 public:
  explicit FileGpuInventory(std::filesystem::path path) : path_(std::move(path)) {}

  Result<std::vector<GpuSample>> sample() override;
  std::string description() const override;

 private:
  std::filesystem::path path_;
};

// Parses the fake-GPU format from `text`; `origin` names the file in error messages.
Result<std::vector<GpuSample>> parse_fake_gpus(std::string_view text, const std::string& origin);

}  // namespace labsweep::agent
