#pragma once

// The agent's seam to the machine's GPUs: what each GPU is, how much memory is in use, and
// which processes compute on it. `main()` wires NvmlGpuInventory (gpu_inventory_nvml.h) or,
// for tests and `labsweep agent --fake-gpus FILE`, FileGpuInventory (gpu_inventory_file.h).
// docs/agent.md describes both.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace labsweep::agent {

// A process with a compute context on a GPU, as the driver reports it.
struct GpuProcess {
  int pid = 0;                     // in the driver's pid namespace (the host's)
  std::optional<int64_t> used_mb;  // nullopt where the driver cannot tell (some vGPU/MIG setups)
  friend bool operator==(const GpuProcess&, const GpuProcess&) = default;
};

// One GPU at one moment.
struct GpuSample {
  int index = 0;     // in PCI bus order, as CUDA_DEVICE_ORDER=PCI_BUS_ID numbers them
  std::string name;  // "NVIDIA H100 80GB HBM3"
  std::string uuid;  // "GPU-5c3f...", empty when unknown
  int64_t memory_total_mb = 0;
  int64_t memory_used_mb = 0;              // by everyone, the driver's own reservation included
  std::optional<int> utilization_percent;  // nullopt where not supported
  std::vector<GpuProcess> processes;
  friend bool operator==(const GpuSample&, const GpuSample&) = default;
};

// Not thread-safe: the agent's loop samples from one thread.
class GpuInventory {
 public:
  virtual ~GpuInventory() = default;
  // Every GPU of the machine, by index (0, 1, ...), as it is now.
  virtual Result<std::vector<GpuSample>> sample() = 0;
  // Where the samples come from, for logs: "NVML 550.54 (driver)", "fake GPUs from gpus.json".
  virtual std::string description() const = 0;
};

}  // namespace labsweep::agent
